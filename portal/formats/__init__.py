"""One date, time and date-time format per language, for every page, e-mail and the
admin (FORMAT_MODULE_PATH). Templates name them ("DATE_FORMAT", "DATETIME_FORMAT",
"TIME_FORMAT") and never spell a format out, so a language reads one way everywhere.

Django's own Arabic locale has no DATETIME_FORMAT, so Arabic date-times fell back to
the English "N j, Y, P" ("ديسمبر 16, 2026, 10 ص") beside its "j F، Y" dates. A 24-hour
clock serves all three languages: meetings are set in many time zones, and "ص/م",
"a.m./p.m." and French habits would otherwise differ.
"""
