"""The demo gives the Migration Working Group a monthly series: twelve meetings on the
second Tuesday, the group invited once to the whole series, one meeting moved a day."""

import datetime as dt
import email
from email import policy
from io import StringIO

import icalendar
import pytest
import recurring_ical_events
from django.core.management import call_command

from meetings.models import Meeting, MeetingSeries
from notices.models import Notice

pytestmark = pytest.mark.django_db
TRIPOLI = "Africa/Tripoli"


@pytest.fixture
def loaded(settings, mailoutbox):
    settings.DEMO_PASSWORD = "tansiq-demo"
    call_command("load_demo", stdout=StringIO())
    return mailoutbox


def test_the_working_group_meets_monthly_on_the_second_tuesday(loaded):
    series = MeetingSeries.objects.get(group__reference_code="MWG")
    meetings = list(series.occurrences.order_by("occurrence_start"))

    assert (series.frequency, series.weekday, series.week_of_month, series.count) == (
        "monthly_weekday",
        1,
        2,
        12,
    )
    assert meetings, "the series made its first meetings"
    assert all(m.status == Meeting.Status.SCHEDULED and m.reference for m in meetings)
    for meeting in meetings:
        slot = meeting.occurrence_start.astimezone(series.zone)
        assert slot.weekday() == 1
        assert 8 <= slot.day <= 14
        assert slot.time() == dt.time(10, 0)
    moved = [m for m in meetings if m.detached_from_series]
    assert len(moved) == 1
    assert moved[0].start_at - moved[0].occurrence_start == dt.timedelta(days=1)


def test_each_member_gets_one_invitation_to_the_series_that_a_calendar_expands(loaded):
    series = MeetingSeries.objects.get(group__reference_code="MWG")
    notices = Notice.objects.filter(
        series=series, kind=Notice.Kind.SERIES_INVITATION, channel=Notice.Channel.EMAIL
    )
    people = list(notices.values_list("person_id", flat=True))
    assert people
    assert len(people) == len(set(people))
    # No invitation of its own for any meeting of the series: the series holds them.
    assert not Notice.objects.filter(meeting__series=series, kind=Notice.Kind.INVITATION).exists()

    call_command("run_notice_jobs", stdout=StringIO())
    # Each message as it goes on the wire, read back by the standard library's parser.
    messages = [
        email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)
        for sent in loaded
    ]
    calendars = [
        part.get_content()
        for message in messages
        if series.title in str(message["Subject"])
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert calendars, "the series invitation carries its calendar"
    body = calendars[0]
    calendar = icalendar.Calendar.from_ical(body.encode() if isinstance(body, str) else body)
    far = dt.timedelta(days=800)
    now = dt.datetime.now(dt.UTC)
    instances = recurring_ical_events.of(calendar).between(now - far, now + far)
    starts = sorted(instance["DTSTART"].dt for instance in instances)
    assert len(starts) == 12
    moved = series.occurrences.get(detached_from_series=True)
    assert moved.start_at in starts
    assert moved.occurrence_start not in starts
