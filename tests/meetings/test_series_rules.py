"""A series' rule: the meetings it gives, on the wall clock of its own zone, and the
RRULE calendar programs read. No database: the rule is worked out from the row alone."""

import datetime as dt
import zoneinfo

import pytest
from dateutil import rrule

from meetings.models import MeetingSeries
from meetings.series import (
    first_start,
    last_start,
    occurrence_starts,
    rrule_text,
    series_rule_description,
)

ROME = zoneinfo.ZoneInfo("Europe/Rome")
TRIPOLI = zoneinfo.ZoneInfo("Africa/Tripoli")


def _series(**fields) -> MeetingSeries:
    values = {
        "title": "Monthly coordination",
        "frequency": MeetingSeries.Frequency.MONTHLY_DAY,
        "interval": 1,
        "start_time": dt.time(10, 0),
        "duration_minutes": 120,
        "time_zone": "Europe/Rome",
        "starts_on": dt.date(2030, 1, 1),
        **fields,
    }
    return MeetingSeries(**values)


def _local(starts, zone=ROME) -> list[dt.datetime]:
    return [start.astimezone(zone) for start in starts]


def test_every_two_weeks_on_tuesday_starts_on_the_first_tuesday_on_or_after_the_start():
    # 3 January 2030 is a Thursday: the first Tuesday after it is the 8th.
    series = _series(
        frequency=MeetingSeries.Frequency.WEEKLY,
        interval=2,
        weekday=1,
        starts_on=dt.date(2030, 1, 3),
        count=4,
    )

    starts = occurrence_starts(series)

    assert _local(starts) == [
        dt.datetime(2030, 1, 8, 10, 0, tzinfo=ROME),
        dt.datetime(2030, 1, 22, 10, 0, tzinfo=ROME),
        dt.datetime(2030, 2, 5, 10, 0, tzinfo=ROME),
        dt.datetime(2030, 2, 19, 10, 0, tzinfo=ROME),
    ]
    assert all(start.tzinfo == dt.UTC for start in starts)
    assert rrule_text(series) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4;WKST=MO"


def test_monthly_on_the_15th_ends_on_a_date():
    series = _series(month_day=15, starts_on=dt.date(2030, 1, 20), ends_on=dt.date(2030, 5, 15))

    starts = occurrence_starts(series)

    assert [start.date() for start in _local(starts)] == [
        dt.date(2030, 2, 15),
        dt.date(2030, 3, 15),
        dt.date(2030, 4, 15),
        dt.date(2030, 5, 15),
    ]
    # UNTIL in UTC (RFC 5545: DTSTART has a zone): the end of 15 May in Rome.
    assert rrule_text(series) == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;UNTIL=20300515T215959Z"


def test_second_tuesday_of_the_month():
    series = _series(
        frequency=MeetingSeries.Frequency.MONTHLY_WEEKDAY,
        weekday=1,
        week_of_month=2,
        count=3,
    )

    assert [start.date() for start in _local(occurrence_starts(series))] == [
        dt.date(2030, 1, 8),
        dt.date(2030, 2, 12),
        dt.date(2030, 3, 12),
    ]
    assert rrule_text(series) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=3"


def test_last_friday_of_the_month_every_two_months():
    series = _series(
        frequency=MeetingSeries.Frequency.MONTHLY_WEEKDAY,
        interval=2,
        weekday=4,
        week_of_month=-1,
        count=3,
    )

    assert [start.date() for start in _local(occurrence_starts(series))] == [
        dt.date(2030, 1, 25),
        dt.date(2030, 3, 29),
        dt.date(2030, 5, 31),
    ]
    assert rrule_text(series) == "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=3"


def test_the_wall_clock_holds_across_the_change_to_summer_time_in_rome():
    # Rome moves its clocks on 31 March 2030: 10:00 is 09:00 UTC before, 08:00 after.
    series = _series(
        frequency=MeetingSeries.Frequency.WEEKLY,
        weekday=3,
        starts_on=dt.date(2030, 3, 21),
        count=3,
    )

    starts = occurrence_starts(series)

    assert starts == [
        dt.datetime(2030, 3, 21, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2030, 3, 28, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2030, 4, 4, 8, 0, tzinfo=dt.UTC),
    ]
    assert {start.astimezone(ROME).time() for start in starts} == {dt.time(10, 0)}


def test_an_hour_the_clocks_skip_counts_with_the_offset_before_the_change():
    # 02:30 does not exist in Rome on 31 March 2030; calendar programs read it as 03:30.
    series = _series(
        frequency=MeetingSeries.Frequency.WEEKLY,
        weekday=6,
        start_time=dt.time(2, 30),
        starts_on=dt.date(2030, 3, 31),
        count=1,
    )

    (start,) = occurrence_starts(series)

    assert start == dt.datetime(2030, 3, 31, 1, 30, tzinfo=dt.UTC)
    assert start.astimezone(ROME).time() == dt.time(3, 30)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"count": 12}, 12),
        ({"ends_on": dt.date(2030, 12, 31)}, 12),
        ({"ends_on": dt.date(2030, 6, 30)}, 6),
    ],
)
def test_the_series_ends_by_count_or_by_date(fields, expected):
    series = _series(month_day=1, **fields)

    starts = occurrence_starts(series)

    assert len(starts) == expected
    assert first_start(series) == starts[0]
    assert last_start(series) == starts[-1]


def test_until_stops_the_expansion_early():
    series = _series(month_day=1, count=12)

    starts = occurrence_starts(series, until=dt.datetime(2030, 3, 15, tzinfo=dt.UTC))

    assert len(starts) == 3


def test_the_rrule_text_gives_the_same_dates_as_the_expansion():
    """The RRULE calendar programs get and the meetings the portal makes agree, read
    back with dateutil's own parser from the text."""
    series = _series(
        frequency=MeetingSeries.Frequency.MONTHLY_WEEKDAY,
        weekday=1,
        week_of_month=2,
        time_zone="Africa/Tripoli",
        starts_on=dt.date(2030, 1, 10),
        ends_on=dt.date(2031, 1, 31),
    )
    first = first_start(series).astimezone(TRIPOLI)

    parsed = rrule.rrulestr(rrule_text(series), dtstart=first)

    assert list(parsed) == [start.astimezone(TRIPOLI) for start in occurrence_starts(series)]
    # The second Tuesday of January 2030 is before the 10th: February to January.
    assert len(list(parsed)) == 12


def test_a_rule_in_words():
    weekly = _series(frequency=MeetingSeries.Frequency.WEEKLY, interval=2, weekday=1, count=12)
    monthly = _series(
        frequency=MeetingSeries.Frequency.MONTHLY_WEEKDAY,
        weekday=4,
        week_of_month=-1,
        ends_on=dt.date(2030, 12, 31),
    )

    assert series_rule_description(weekly) == (
        "Every 2 weeks on Tuesday, at 10:00 (Europe/Rome); 12 meetings"
    )
    assert series_rule_description(monthly) == (
        "Every month on the last Friday, at 10:00 (Europe/Rome); until 31 December 2030"
    )
