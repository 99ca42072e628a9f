"""The range of dates the portal accepts, everywhere a date comes in.

A working group's papers are dated within this century and the next; anything outside
is a typing slip (0026 for 2026) or a probe. Bounding it also keeps every date
convertible between time zones: 9999-12-31 in Etc/GMT+12 is year 10000 in UTC, which
Python cannot hold, and would break every page and notice that shows it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def out_of_range_message() -> str:
    return _("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": LATEST.isoformat(),
    }


def date_in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST <= day <= LATEST


def moment_in_range(value: dt.datetime, zone_name: str | None = None) -> bool:
    """Within range in UTC and, when given, in the zone it is shown in."""
    try:
        views = [value.astimezone(dt.UTC)]
        if zone_name:
            views.append(value.astimezone(ZoneInfo(zone_name)))
    except (OverflowError, ValueError, KeyError):
        return False
    return all(date_in_range(view) for view in views)


def dates_check(values: dict[str, dt.date | dt.datetime | None], zone_name: str | None = None):
    """Raise one ValidationError naming every field whose date is out of range."""
    errors = {}
    for field, value in values.items():
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            valid = moment_in_range(value, zone_name)
        else:
            valid = date_in_range(value)
        if not valid:
            errors[field] = out_of_range_message()
    if errors:
        raise ValidationError(errors)
