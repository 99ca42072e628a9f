"""What a series' notices say and carry: one e-mail per person with the whole series
for their calendar, in their language; webhook bodies as the schema says."""

import datetime as dt
import email
import json
from email import policy

import icalendar
import jsonschema
import pytest
from django.core import mail
from django.utils import timezone

from groups.services import group_update
from meetings.models import MeetingSeries
from meetings.services import (
    meeting_update,
    series_cancel,
    series_create,
    series_schedule,
    series_update,
)
from members.services import person_update
from notices.content import webhook_body
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.api.schema import openapi

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(cast):
    return series_create(
        group=cast.mwg,
        title="Monthly coordination",
        frequency=MeetingSeries.Frequency.MONTHLY_WEEKDAY,
        weekday=1,
        week_of_month=2,
        start_time=dt.time(10, 0),
        duration_minutes=120,
        time_zone="Africa/Tripoli",
        venue="Ministry of Foreign Affairs, Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=6,
        create_ahead_days=400,
        by=cast.secretariat,
    )


def _by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0].split("<")[1].rstrip(">"): message for message in mail.outbox}


def _calendar(message) -> icalendar.Calendar:
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    return icalendar.Calendar.from_ical(attachment[1])


def test_each_invitee_gets_one_mail_with_the_whole_series_in_their_language(
    cast, series, django_capture_on_commit_callbacks
):
    person_update(person=cast.member_person, preferred_language="ar", by=None)
    person_update(person=cast.observer_person, preferred_language="fr", by=None)

    with django_capture_on_commit_callbacks(execute=True):
        series_schedule(series=series, by=cast.secretariat)

    received = _by_recipient()
    assert len(mail.outbox) == 5
    english = received[cast.chair_person.email]
    assert english.subject.startswith("Invitation to a series of meetings: Monthly coordination")
    assert "Every month on the second Tuesday, at 10:00 (Africa/Tripoli); 6 meetings" in (
        english.body
    )
    assert english.body.count("Africa/Tripoli)") >= 6  # each meeting to come, with its zone
    # Tripoli keeps UTC+2 all year: the time in UTC is given beside the local one.
    assert "10:00–12:00 (Africa/Tripoli) — 08:00–10:00 UTC" in english.body
    assert f"/series/{series.pk}/" in english.body
    calendar = _calendar(english)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == series.calendar_uid
    assert dict(event["RRULE"])["BYDAY"] == ["2TU"]
    assert str(event["ATTENDEE"]) == f"mailto:{cast.chair_person.email}"
    parsed = email.message_from_bytes(english.message().as_bytes(), policy=policy.default)
    methods = {
        part.get_param("method")
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    }
    assert methods == {"REQUEST"}
    arabic = received[cast.member_person.email]
    french = received[cast.observer_person.email]
    assert arabic.extra_headers["Content-Language"] == "ar"
    assert 'dir="rtl"' in arabic.alternatives[0][0]
    assert french.extra_headers["Content-Language"] == "fr"
    assert arabic.subject != english.subject or arabic.body != english.body
    assert _calendar(arabic).walk("VEVENT")[0]["UID"] == event["UID"]


def test_a_cancelled_series_mail_cancels_the_series_in_the_calendar(
    cast, series, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        series_schedule(series=series, by=cast.secretariat)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        series_cancel(series=series, reason="The group meets quarterly now", by=cast.chair)

    message = _by_recipient()[cast.member_person.email]
    assert message.subject == "Series of meetings cancelled: Monthly coordination"
    assert "The group meets quarterly now" in message.body
    calendar = _calendar(message)
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == series.calendar_uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert len(mail.outbox) == 5


def test_an_invitation_not_sent_before_the_series_is_cancelled_is_not_sent(
    cast, series, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        series_schedule(series=series, by=cast.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        series_cancel(series=series, by=cast.secretariat)

    invitations = Notice.objects.filter(kind=Notice.Kind.SERIES_INVITATION)
    assert set(invitations.values_list("status", flat=True)) == {Notice.Status.SKIPPED}
    assert {message.subject.split(":")[0] for message in mail.outbox} == {
        "Series of meetings cancelled"
    }


def test_a_moved_meeting_mail_carries_its_override_not_a_new_event(
    cast, series, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        series_schedule(series=series, by=cast.secretariat)
    mail.outbox.clear()
    third = series.occurrences.order_by("occurrence_start")[2]

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            meeting=third,
            start_at=third.start_at + dt.timedelta(hours=2),
            end_at=third.end_at + dt.timedelta(hours=2),
            by=cast.secretariat,
        )

    assert len(mail.outbox) == 5
    (event,) = _calendar(_by_recipient()[cast.member_person.email]).walk("VEVENT")
    assert str(event["UID"]) == series.calendar_uid
    assert event["RECURRENCE-ID"].dt == third.occurrence_start


def test_series_webhook_bodies_match_the_schema(cast, series, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)
    series_schedule(series=series, by=cast.secretariat)
    series_update(series=series, venue="IOM office, Tripoli", by=cast.secretariat)
    series_cancel(series=series, reason="Merged", by=cast.secretariat)

    webhooks = Notice.objects.filter(channel=Notice.Channel.WEBHOOK).order_by("pk")

    assert [notice.event for notice in webhooks] == [
        "series.scheduled",
        "series.updated",
        "series.cancelled",
    ]
    for notice in webhooks:
        body = json.loads(webhook_body(notice))
        operation = openapi()["webhooks"][notice.event]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        jsonschema.validate(
            body,
            {**schema, "components": openapi()["components"]},
            cls=jsonschema.Draft202012Validator,
        )
        assert body["data"]["series"]["id"] == series.pk
        assert all(row["start_at"].endswith("Z") for row in body["data"]["occurrences"])
    assert json.loads(webhook_body(webhooks[2]))["data"]["reason"] == "Merged"


def test_a_series_across_summer_time_gives_no_single_utc_time(
    cast, django_capture_on_commit_callbacks
):
    # Rome is UTC+1 in winter and UTC+2 in summer: one UTC time would be wrong for some.
    rome = series_create(
        group=cast.mwg,
        title="Monthly in Rome",
        frequency=MeetingSeries.Frequency.MONTHLY_DAY,
        month_day=10,
        start_time=dt.time(10, 0),
        duration_minutes=60,
        time_zone="Europe/Rome",
        starts_on=timezone.localdate() + dt.timedelta(days=20),
        count=12,
        create_ahead_days=30,
        by=cast.secretariat,
    )

    with django_capture_on_commit_callbacks(execute=True):
        series_schedule(series=rome, by=cast.secretariat)

    body = _by_recipient()[cast.chair_person.email].body
    assert "10:00–11:00 (Europe/Rome)\n" in body
    assert " UTC\n" not in body.split("Repeats")[1].split("Meetings to come")[0]


def test_a_series_called_at_short_notice_says_so_in_its_mail(
    cast, django_capture_on_commit_callbacks
):
    group_update(group=cast.mwg, notice_period_days=14, by=cast.secretariat)
    soon = series_create(
        group=cast.mwg,
        title="Weekly crisis cell",
        frequency=MeetingSeries.Frequency.WEEKLY,
        weekday=(timezone.localdate() + dt.timedelta(days=3)).weekday(),
        start_time=dt.time(10, 0),
        duration_minutes=60,
        time_zone="Africa/Tripoli",
        starts_on=timezone.localdate() + dt.timedelta(days=3),
        count=4,
        create_ahead_days=30,
        by=cast.secretariat,
    )

    with django_capture_on_commit_callbacks(execute=True):
        series_schedule(
            series=soon, by=cast.secretariat, short_notice_reason="Arrivals in Zuwara doubled"
        )

    body = _by_recipient()[cast.chair_person.email].body
    assert "Meetings of this series are called at short notice: Arrivals in Zuwara doubled." in (
        body
    )
