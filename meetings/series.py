"""A meeting series' rule: the moments it gives, its iCalendar RRULE and its words.

The rule is expanded on the wall clock of the series' own zone (10:00 in Rome stays
10:00 across a change of summer time), then each moment is stored in UTC. The first
occurrence is the first day on or after `starts_on` that fits the pattern, and the
interval counts from there, so "every 2 weeks on Tuesday, from a Thursday" starts on
the next Tuesday, and the RRULE's DTSTART is that first occurrence, as RFC 5545 wants.

Reads only: the services (meetings.services, "Series") validate and write; the
calendar builder (notices.calendar) turns `rrule_text` into the master event.
"""

import datetime as dt
from collections.abc import Iterator

from dateutil import rrule
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.models import WEEK_OF_MONTH, WEEKDAYS, MeetingSeries

Frequency = MeetingSeries.Frequency
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How long a series may run: its rule, its calendar's time-zone rules and the pages'
# lists stay bounded (a working group's terms are reviewed well within this).
MAX_SPAN = dt.timedelta(days=5 * 366)


def _weekday(series: MeetingSeries, week: int | None = None) -> rrule.weekday:
    day = rrule.weekday(series.weekday or 0)
    return day(week) if week else day


def _pattern(series: MeetingSeries, interval: int) -> dict:
    """dateutil's arguments for the series' pattern (not its start or end)."""
    if series.frequency == Frequency.WEEKLY:
        return {
            "freq": rrule.WEEKLY,
            "interval": interval,
            "byweekday": _weekday(series),
            "wkst": rrule.MO,
        }
    if series.frequency == Frequency.MONTHLY_DAY:
        return {"freq": rrule.MONTHLY, "interval": interval, "bymonthday": series.month_day}
    return {
        "freq": rrule.MONTHLY,
        "interval": interval,
        "byweekday": _weekday(series, series.week_of_month),
    }


def _local_until(series: MeetingSeries) -> dt.datetime | None:
    if series.ends_on is None:
        return None
    return dt.datetime.combine(series.ends_on, dt.time(23, 59, 59))


def first_local_start(series: MeetingSeries) -> dt.datetime | None:
    """The first occurrence on the wall clock (naive, in the series' zone): the first
    day on or after `starts_on` that fits the pattern."""
    start = dt.datetime.combine(series.starts_on, series.start_time.replace(tzinfo=None))
    first = rrule.rrule(dtstart=start, count=1, **_pattern(series, 1))
    found = list(first)
    if not found:
        return None
    until = _local_until(series)
    if until is not None and found[0] > until:
        return None
    return found[0]


def _local_rule(series: MeetingSeries) -> rrule.rrule | None:
    first = first_local_start(series)
    if first is None:
        return None
    end: dict = {"count": series.count} if series.count else {"until": _local_until(series)}
    return rrule.rrule(dtstart=first, **_pattern(series, series.interval), **end)


def to_utc(series: MeetingSeries, local: dt.datetime) -> dt.datetime:
    """A wall-clock time of the series' zone as a UTC moment. A time that the zone
    skips (the hour lost in spring) counts with the offset before the change, as
    calendar programs read it (RFC 5545, 3.3.5)."""
    return local.replace(tzinfo=series.zone).astimezone(dt.UTC)


def local_starts(series: MeetingSeries) -> Iterator[dt.datetime]:
    """Every occurrence of the rule, on the wall clock, in order; bounded by the end."""
    rule = _local_rule(series)
    if rule is None:
        return iter(())
    return iter(rule)


def occurrence_starts(
    series: MeetingSeries, *, until: dt.datetime | None = None
) -> list[dt.datetime]:
    """The occurrences' starts in UTC, in order; only those starting up to `until`
    when given."""
    starts = []
    for local in local_starts(series):
        moment = to_utc(series, local)
        if until is not None and moment > until:
            break
        starts.append(moment)
    return starts


def first_start(series: MeetingSeries) -> dt.datetime | None:
    first = first_local_start(series)
    return None if first is None else to_utc(series, first)


def last_start(series: MeetingSeries) -> dt.datetime | None:
    """The last occurrence's start in UTC (the rule always ends: a date or a count)."""
    starts = list(local_starts(series))
    return to_utc(series, starts[-1]) if starts else None


def slot_for_day(series: MeetingSeries, day: dt.date) -> dt.datetime:
    """The slot of the series on `day`, at its start time, in UTC."""
    return to_utc(series, dt.datetime.combine(day, series.start_time.replace(tzinfo=None)))


def _ical_moment(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def rrule_text(series: MeetingSeries, *, until: dt.datetime | None = None) -> str:
    """The RRULE value (without "RRULE:"), e.g. FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=12.

    UNTIL is written in UTC, as RFC 5545 requires when DTSTART has a zone. `until`
    (a UTC moment) ends the rule there instead of at the series' own end: the feed
    of a cancelled series keeps the meetings that took place and no more.
    """
    parts = [
        "FREQ=WEEKLY" if series.frequency == Frequency.WEEKLY else "FREQ=MONTHLY",
        f"INTERVAL={series.interval}",
    ]
    if series.frequency == Frequency.WEEKLY:
        parts.append(f"BYDAY={WEEKDAY_CODES[series.weekday or 0]}")
    elif series.frequency == Frequency.MONTHLY_DAY:
        parts.append(f"BYMONTHDAY={series.month_day}")
    else:
        parts.append(f"BYDAY={series.week_of_month}{WEEKDAY_CODES[series.weekday or 0]}")
    local_until = _local_until(series)
    if until is not None:
        parts.append(f"UNTIL={_ical_moment(until)}")
    elif series.count:
        parts.append(f"COUNT={series.count}")
    elif local_until is not None:
        parts.append(f"UNTIL={_ical_moment(to_utc(series, local_until))}")
    if series.frequency == Frequency.WEEKLY:
        parts.append("WKST=MO")
    return ";".join(parts)


def _choice_label(choices: list, value: int | None) -> str:
    return str(dict(choices).get(value, ""))


def series_rule_description(series: MeetingSeries) -> str:
    """The rule in a sentence of the active language: "Every 2 weeks on Tuesday, at
    10:00 (Europe/Rome), 12 meetings"."""
    n = series.interval
    weekday = _choice_label(WEEKDAYS, series.weekday)
    if series.frequency == Frequency.WEEKLY:
        pattern = ngettext(
            "Every week on %(weekday)s", "Every %(count)d weeks on %(weekday)s", n
        ) % {"count": n, "weekday": weekday}
    elif series.frequency == Frequency.MONTHLY_DAY:
        pattern = ngettext(
            "Every month on day %(day)d", "Every %(count)d months on day %(day)d", n
        ) % {"count": n, "day": series.month_day or 0}
    else:
        pattern = ngettext(
            "Every month on the %(which)s %(weekday)s",
            "Every %(count)d months on the %(which)s %(weekday)s",
            n,
        ) % {
            "count": n,
            "which": _choice_label(WEEK_OF_MONTH, series.week_of_month),
            "weekday": weekday,
        }
    clock = formats.time_format(series.start_time, "TIME_FORMAT")
    if series.count:
        end = ngettext("%(count)d meeting", "%(count)d meetings", series.count) % {
            "count": series.count
        }
    elif series.ends_on is not None:
        end = _("until %(date)s") % {"date": formats.date_format(series.ends_on, "DATE_FORMAT")}
    else:
        end = ""
    sentence = _("%(pattern)s, at %(time)s (%(zone)s)") % {
        "pattern": pattern,
        "time": clock,
        "zone": series.time_zone,
    }
    return _("%(rule)s; %(end)s") % {"rule": sentence, "end": end} if end else sentence
