import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from meetings.services import (
    invitation_create,
    invitation_respond,
    meeting_cancel,
    meeting_create,
    meeting_schedule,
    meeting_update,
)
from members.models import Person
from members.services import person_calendar_token_reset
from notices import calendar
from notices.calendar import feed_calendar, invitation_calendar, meeting_uid

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")


@pytest.fixture
def scheduled(cast):
    start = dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=20), dt.time(10, 0), tzinfo=ROME
    )
    meeting = meeting_create(
        group=cast.mwg,
        title="Rome consultation",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        time_zone="Europe/Rome",
        venue="Embassy of Libya, Rome",
        online_url="https://meet.example.org/rome",
        by=None,
    )
    invitation_create(meeting=meeting, person=cast.member_person, by=None)
    invitation_create(meeting=meeting, person=cast.observer_person, by=None)
    return meeting_schedule(meeting=meeting, by=None)


def _event(body: bytes) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_invitation_calendar_is_a_request_in_the_meetings_zone(cast, scheduled):
    invitation_respond(
        invitation=scheduled.invitations.get(person=cast.observer_person),
        response="accepted",
        by=cast.observer,
    )
    invitations = scheduled.invitations.select_related("person")

    calendar, event = _event(invitation_calendar(scheduled, invitations))

    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == meeting_uid(scheduled) == scheduled.calendar_uid
    assert scheduled.calendar_uid.startswith("meeting-")
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == scheduled.start_at
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert event["DTSTART"].dt.hour == 10
    assert event["DTEND"].dt - event["DTSTART"].dt == dt.timedelta(hours=2)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    assert str(event["LOCATION"]) == "Embassy of Libya, Rome — https://meet.example.org/rome"
    assert str(event["ORGANIZER"]) == "mailto:secretariat@tansiq.local"
    attendees = {str(a): a.params["PARTSTAT"] for a in event["ATTENDEE"]}
    assert attendees == {
        f"mailto:{cast.member_person.email}": "NEEDS-ACTION",
        f"mailto:{cast.observer_person.email}": "ACCEPTED",
    }


def test_update_raises_sequence_and_cancel_is_method_cancel(cast, scheduled):
    moved = meeting_update(meeting=scheduled, venue="Ministry of Foreign Affairs, Tripoli", by=None)
    _, event = _event(invitation_calendar(moved, moved.invitations.all()))
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == meeting_uid(scheduled)

    cancelled = meeting_cancel(meeting=moved, reason="Postponed", by=None)
    calendar, event = _event(invitation_calendar(cancelled, cancelled.invitations.all()))
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 2
    # A cancellation asks nobody for an answer.
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert [str(attendee.params["RSVP"]) for attendee in attendees] == ["FALSE", "FALSE"]


def test_feed_lists_a_persons_meetings_by_secret_url(client, cast, scheduled):
    draft_start = timezone.now() + dt.timedelta(days=40)
    draft = meeting_create(
        group=cast.mwg,
        title="Not yet announced",
        start_at=draft_start,
        end_at=draft_start + dt.timedelta(hours=1),
        by=None,
    )
    invitation_create(meeting=draft, person=cast.member_person, by=None)

    response = client.get(f"/calendar/{cast.member_person.calendar_token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["METHOD"] == "PUBLISH"
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries == [f"{scheduled.reference} Migration Working Group: Rome consultation"]


def test_feed_with_unknown_or_reset_secret_is_404(client, cast, scheduled):
    old = cast.member_person.calendar_token

    person_calendar_token_reset(person=cast.member_person, by=None)

    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    fresh = client.get(f"/calendar/{cast.member_person.calendar_token}.ics")
    assert fresh.status_code == 200


def test_feed_shows_nothing_of_other_peoples_meetings(client, cast, scheduled):
    response = client.get(f"/calendar/{cast.outsider_person.calendar_token}.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []


def test_each_zone_gets_one_vtimezone_ahead_of_the_events(cast, scheduled):
    start = timezone.now() + dt.timedelta(days=60)
    tripoli = meeting_create(
        group=cast.mwg,
        title="Back in Tripoli",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    body = feed_calendar([scheduled, tripoli, scheduled], name="Feed")

    calendar = icalendar.Calendar.from_ical(body)
    zones = {zone["TZID"]: zone for zone in calendar.walk("VTIMEZONE")}
    assert sorted(zones) == ["Africa/Tripoli", "Europe/Rome"]
    assert body.index(b"BEGIN:VTIMEZONE") < body.index(b"BEGIN:VEVENT")
    assert body.rindex(b"END:VTIMEZONE") < body.index(b"BEGIN:VEVENT")
    # Rome keeps summer time: both of its rules are there for the meeting's year.
    rome = {component.name for component in zones["Europe/Rome"].subcomponents}
    assert rome == {"STANDARD", "DAYLIGHT"}
    event_zones = {event["DTSTART"].params["TZID"] for event in calendar.walk("VEVENT")}
    assert event_zones == {"Africa/Tripoli", "Europe/Rome"}


def test_feed_answers_head_and_conditional_requests(client, cast, scheduled):
    url = f"/calendar/{cast.member_person.calendar_token}.ics"

    full = client.get(url)
    head = client.head(url)
    same_etag = client.get(url, headers={"if-none-match": full["ETag"]})
    same_date = client.get(url, headers={"if-modified-since": full["Last-Modified"]})
    meeting_update(meeting=scheduled, venue="Tripoli", by=None)
    changed = client.get(url, headers={"if-none-match": full["ETag"]})

    assert full.status_code == 200
    assert full["ETag"]
    assert full["Last-Modified"]
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == full["ETag"]
    assert same_etag.status_code == 304
    assert same_date.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != full["ETag"]
    assert b"Tripoli" in changed.content


def test_a_meetings_uid_survives_a_change_of_domain(cast, scheduled, settings):
    before = meeting_uid(scheduled)

    settings.SITE_URL = "https://tansiq.new-ministry.example.gov"
    scheduled.refresh_from_db()
    _, event = _event(invitation_calendar(scheduled, scheduled.invitations.all()))

    assert str(event["UID"]) == before
    assert before.endswith("@127.0.0.1")


@given(
    name=st.text(max_size=80),
    address=st.sampled_from(["amal@example.org", "o'brien.sean@iom.example.int"]),
    status=st.sampled_from(["NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"]),
    rsvp=st.booleans(),
)
def test_an_attendee_line_is_the_line_a_calendar_component_writes(name, address, status, rsvp):
    """Each invitee's ATTENDEE line is written on its own (notices.calendar._property_line)
    and put in the file: the bytes icalendar writes for it inside an event, quoting,
    escaping and folding included."""
    attendee = calendar._attendee(Person(full_name=name, email=address), status=status, rsvp=rsvp)
    event = icalendar.Event()
    event.add("attendee", attendee, encode=False)
    inside_an_event = event.to_ical().removeprefix(b"BEGIN:VEVENT\r\n")

    assert calendar._property_line("attendee", attendee) == inside_an_event.removesuffix(
        b"END:VEVENT\r\n"
    )
