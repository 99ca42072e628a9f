# "16 ديسمبر 2026" and "16 ديسمبر 2026، 10:00": the Arabic comma only between the
# date and the time, none inside the date.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
# The right-to-left marks keep day/month/year in reading order inside Arabic text.
SHORT_DATE_FORMAT = "d\u200f/m\u200f/Y"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
