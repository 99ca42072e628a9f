"""A series in the invitees' calendars: one recurring event (RRULE), the cancelled
meetings left out (EXDATE), the moved ones as overrides (RECURRENCE-ID); read back with
two independent readers that expand recurrences as calendar programs do:
recurring-ical-events (Python) and ical.js (Thunderbird, Nextcloud)."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
import recurring_ical_events
from django.utils import timezone

from meetings.models import MeetingSeries
from meetings.services import (
    meeting_cancel,
    meeting_update,
    series_cancel,
    series_create,
    series_schedule,
    series_update,
)
from notices.calendar import feed_calendar, invitation_calendar, series_calendar
from tests.notices.test_calendar_readers import read_with_ical_js

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")
FAR = dt.timedelta(days=3 * 366)


@pytest.fixture
def twelve(cast):
    """Twelve monthly meetings of the MWG on the 15th at 10:00 in Rome, scheduled; the
    fourth cancelled, the seventh moved a day later and two hours later by hand."""
    series = series_create(
        group=cast.mwg,
        title="Monthly coordination",
        frequency=MeetingSeries.Frequency.MONTHLY_DAY,
        month_day=15,
        start_time=dt.time(10, 0),
        duration_minutes=120,
        time_zone="Europe/Rome",
        venue="Ministry of Foreign Affairs, Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=12,
        create_ahead_days=400,
        by=cast.secretariat,
    )
    series_schedule(series=series, by=cast.secretariat)
    occurrences = list(series.occurrences.order_by("occurrence_start"))
    cancelled = meeting_cancel(meeting=occurrences[3], reason="Holiday", by=cast.secretariat)
    moved = meeting_update(
        meeting=occurrences[6],
        start_at=occurrences[6].start_at + dt.timedelta(days=1, hours=2),
        end_at=occurrences[6].end_at + dt.timedelta(days=1, hours=2),
        by=cast.secretariat,
    )
    series.refresh_from_db()
    return series, occurrences, cancelled, moved


def _instances(body: bytes) -> list:
    calendar = icalendar.Calendar.from_ical(body)
    now = timezone.now()
    return sorted(
        recurring_ical_events.of(calendar).between(now - FAR, now + FAR),
        key=lambda event: event["DTSTART"].dt,
    )


def _expected_starts(occurrences, cancelled, moved) -> list[dt.datetime]:
    starts = []
    for meeting in occurrences:
        if meeting.pk == cancelled.pk:
            continue
        starts.append(moved.start_at if meeting.pk == moved.pk else meeting.start_at)
    return starts


def _check_eleven(instances, occurrences, cancelled, moved) -> None:
    assert len(instances) == 11
    starts = [event["DTSTART"].dt for event in instances]
    assert starts == _expected_starts(occurrences, cancelled, moved)
    assert cancelled.start_at not in starts
    (moved_instance,) = [event for event in instances if event["DTSTART"].dt == moved.start_at]
    assert moved_instance["DTEND"].dt == moved.end_at
    assert moved_instance["RECURRENCE-ID"].dt == moved.occurrence_start
    assert {str(event["UID"]) for event in instances} == {occurrences[0].series.calendar_uid}
    # The wall clock holds across summer time: every other meeting at 10:00 in Rome.
    others = [event["DTSTART"].dt for event in instances if event is not moved_instance]
    assert {start.astimezone(ROME).time() for start in others} == {dt.time(10, 0)}


def test_twelve_monthly_meetings_with_one_cancelled_and_one_moved_import_as_eleven(cast, twelve):
    series, occurrences, cancelled, moved = twelve

    body = series_calendar(series, series.occurrences.exclude(status="draft"))

    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "REQUEST"
    events = calendar.walk("VEVENT")
    # One master and one override, not twelve events.
    assert len(events) == 2
    master, override = events
    assert str(master["UID"]) == str(override["UID"]) == series.calendar_uid
    assert dict(master["RRULE"]) == {
        "FREQ": ["MONTHLY"],
        "INTERVAL": [1],
        "BYMONTHDAY": [15],
        "COUNT": [12],
    }
    assert master["DTSTART"].dt == occurrences[0].occurrence_start
    assert master["DTSTART"].params["TZID"] == "Europe/Rome"
    exdates = [moment.dt for moment in master["EXDATE"].dts]
    assert exdates == [cancelled.occurrence_start]
    assert override["RECURRENCE-ID"].dt == moved.occurrence_start
    assert override["RECURRENCE-ID"].params["TZID"] == "Europe/Rome"
    assert override["DTSTART"].dt == moved.start_at
    # The override's SEQUENCE rose with its own move, over the series'.
    assert master["SEQUENCE"] == 0
    assert override["SEQUENCE"] == 1
    # The zone's rules cover every year the series reaches.
    rome = calendar.walk("VTIMEZONE")[0]
    assert rome["TZID"] == "Europe/Rome"
    _check_eleven(_instances(body), occurrences, cancelled, moved)


def test_the_feed_holds_the_series_once_and_imports_as_eleven(client, cast, twelve):
    series, occurrences, cancelled, moved = twelve

    response = client.get(f"/calendar/{cast.member_person.calendar_token}.ics")

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert [bool(event.get("RRULE")) for event in events] == [True, False]
    _check_eleven(_instances(response.content), occurrences, cancelled, moved)


def test_the_feed_leaves_out_the_meetings_a_person_is_not_invited_to(client, cast, twelve):
    series, occurrences, cancelled, moved = twelve
    occurrences[9].invitations.filter(person=cast.member_person).delete()

    response = client.get(f"/calendar/{cast.member_person.calendar_token}.ics")

    starts = [event["DTSTART"].dt for event in _instances(response.content)]
    assert len(starts) == 10
    assert occurrences[9].start_at not in starts


def test_ical_js_reads_the_rule_the_exception_and_the_override(cast, twelve):
    series, occurrences, cancelled, moved = twelve

    (event,) = read_with_ical_js(
        series_calendar(series, series.occurrences.exclude(status="draft")),
        script="expand_ics.mjs",
    )

    def utc(moment):
        return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    assert event["uid"] == series.calendar_uid
    rule = dict(part.split("=") for part in event["rrule"].split(";"))
    # ical.js leaves out INTERVAL=1, the default.
    assert rule == {"FREQ": "MONTHLY", "BYMONTHDAY": "15", "COUNT": "12"}
    assert event["exdates"] == [utc(cancelled.occurrence_start)]
    assert event["overrides"] == [utc(moved.occurrence_start)]
    starts = [instance["start"] for instance in event["instances"]]
    assert starts == [utc(start) for start in _expected_starts(occurrences, cancelled, moved)]
    (moved_instance,) = [i for i in event["instances"] if i["start"] == utc(moved.start_at)]
    assert moved_instance["end"] == utc(moved.end_at)
    assert moved_instance["recurrence_id"] == utc(moved.occurrence_start)


def test_ical_js_reads_the_feed_the_same(client, cast, twelve):
    series, occurrences, cancelled, moved = twelve
    response = client.get(f"/calendar/{cast.member_person.calendar_token}.ics")

    (event,) = read_with_ical_js(response.content, script="expand_ics.mjs")

    assert len(event["instances"]) == 11


def test_a_moved_meetings_own_notice_is_an_override_of_the_series(cast, twelve):
    series, occurrences, cancelled, moved = twelve

    calendar = icalendar.Calendar.from_ical(invitation_calendar(moved, moved.invitations.all()))

    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == series.calendar_uid
    assert event["RECURRENCE-ID"].dt == moved.occurrence_start
    assert event["DTSTART"].dt == moved.start_at
    assert "RRULE" not in event


def test_a_cancelled_meetings_own_notice_cancels_that_date_only(cast, twelve):
    series, occurrences, cancelled, moved = twelve

    calendar = icalendar.Calendar.from_ical(
        invitation_calendar(cancelled, cancelled.invitations.all())
    )

    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == series.calendar_uid
    assert event["RECURRENCE-ID"].dt == cancelled.occurrence_start
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_series_update_raises_the_sequence_and_moves_the_rule(cast, twelve):
    series, occurrences, cancelled, moved = twelve

    series_update(series=series, start_time=dt.time(11, 0), by=cast.secretariat)
    series.refresh_from_db()
    body = series_calendar(series, series.occurrences.exclude(status="draft"))

    master, override = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert master["SEQUENCE"] == 1
    assert master["DTSTART"].dt.astimezone(ROME).time() == dt.time(11, 0)
    assert override["SEQUENCE"] == 2
    instances = _instances(body)
    assert len(instances) == 11
    starts = {event["DTSTART"].dt for event in instances}
    assert moved.start_at in starts
    others = starts - {moved.start_at}
    assert {start.astimezone(ROME).time() for start in others} == {dt.time(11, 0)}


def test_a_cancelled_series_is_one_cancel_of_its_uid(cast, twelve):
    series, *_ = twelve

    series_cancel(series=series, reason="Merged with another group", by=cast.secretariat)
    series.refresh_from_db()
    calendar = icalendar.Calendar.from_ical(
        series_calendar(series, series.occurrences.exclude(status="draft"))
    )

    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == series.calendar_uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_the_feed_of_a_cancelled_series_keeps_what_took_place(cast, twelve):
    series, occurrences, *_ = twelve
    held = occurrences[0]
    # The first meeting took place; then the series was cancelled.
    type(held).objects.filter(pk=held.pk).update(status="held")
    series_cancel(series=series, by=cast.secretariat)
    meetings = type(held).objects.filter(series=series).exclude(status="draft")

    body = feed_calendar(meetings.select_related("group", "series"), name="Feed")

    instances = _instances(body)
    assert [event["DTSTART"].dt for event in instances] == [held.start_at]


def test_cancelling_a_series_that_met_keeps_its_meetings_in_the_invitees_calendars(cast, twelve):
    series, occurrences, *_ = twelve
    held = occurrences[0]
    # The first meeting took place; then the series was cancelled: the notice ends the
    # rule at that meeting instead of cancelling the UID (which would remove it too).
    type(held).objects.filter(pk=held.pk).update(status="held")
    series_cancel(series=series, by=cast.secretariat)
    series.refresh_from_db()

    body = series_calendar(series, series.occurrences.exclude(status="draft"))

    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["METHOD"] == "REQUEST"
    master = next(e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e)
    assert str(master["STATUS"]) == "CONFIRMED"
    assert master["SEQUENCE"] == series.sequence
    instances = _instances(body)
    assert [event["DTSTART"].dt for event in instances] == [held.start_at]


def test_every_date_of_a_series_reads_as_the_series_title_moved_ones_too(cast, twelve):
    series, _occurrences, _cancelled, moved = twelve
    assert moved.reference  # the meeting has its reference; the calendar leaves it out

    body = series_calendar(series, series.occurrences.exclude(status="draft"))

    summaries = {str(event["SUMMARY"]) for event in _instances(body)}
    assert summaries == {str(icalendar.Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"])}
    assert moved.reference not in body.decode()
