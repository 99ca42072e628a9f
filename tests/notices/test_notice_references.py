"""What is sent about a meeting carries its reference: every e-mail's subject starts
with it, the message names it, the calendar event's SUMMARY leads with it (read by
icalendar and by ical.js), and the webhooks' payload has it."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from groups.models import CoordinationGroup
from meetings.services import (
    action_point_create,
    invitation_create,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
)
from meetings.tasks import action_points_due_task
from members.services import person_update
from notices.calendar import feed_calendar
from notices.models import Notice
from tests.notices.test_calendar_readers import read_with_ical_js

pytestmark = pytest.mark.django_db


@pytest.fixture
def mwg(cast):
    CoordinationGroup.objects.filter(pk=cast.mwg.pk).update(reference_code="MWG")
    cast.mwg.refresh_from_db()
    return cast.mwg


@pytest.fixture
def meeting(cast, mwg, django_capture_on_commit_callbacks):
    person_update(person=cast.member_person, preferred_language="ar", by=None)
    person_update(person=cast.observer_person, preferred_language="fr", by=None)
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
    )
    for person in (cast.member_person, cast.observer_person, cast.chair_person):
        invitation_create(meeting=meeting, person=person, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        return meeting_schedule(meeting=meeting, by=None)


def _calendar_part(message) -> bytes:
    (attachment,) = [a for a in message.attachments if a[0] == "invite.ics"]
    content = attachment[1]
    return content.encode() if isinstance(content, str) else content


def test_the_invitation_subject_starts_with_the_reference_in_every_language(meeting):
    year = timezone.localtime(meeting.start_at, meeting.zone).year
    assert meeting.reference == f"MWG/{year}/01"

    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.subject.startswith(f"{meeting.reference} — "), message.subject
        assert meeting.reference in message.body
        assert meeting.reference in message.alternatives[0][0]
    english = [m for m in mail.outbox if m.extra_headers["Content-Language"] == "en"]
    assert english[0].subject.startswith(f"{meeting.reference} — Invitation: Quarterly meeting")


def test_updates_and_cancellations_lead_with_the_reference(
    meeting, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_update(meeting=meeting, venue="Ministry of Planning", by=None)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, reason="Postponed", by=None)

    english = [m.subject for m in mail.outbox if m.extra_headers["Content-Language"] == "en"]
    assert len(english) == 2
    assert english[0].startswith(f"{meeting.reference} — Updated: Quarterly meeting, ")
    assert english[1].startswith(f"{meeting.reference} — Cancelled: Quarterly meeting, ")


def test_the_calendar_summary_leads_with_the_reference(cast, meeting):
    english = next(m for m in mail.outbox if m.extra_headers["Content-Language"] == "en")
    body = _calendar_part(english)
    expected = f"{meeting.reference} Migration Working Group: Quarterly meeting"

    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    (read,) = read_with_ical_js(body)

    assert str(event["SUMMARY"]) == expected
    assert read["summary"] == expected


def test_the_feed_shows_the_reference_and_a_draft_without_one(cast, mwg, meeting):
    start = timezone.now() + dt.timedelta(days=20)
    draft = meeting_create(
        group=mwg,
        title="Migration Working Group: planning",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )

    events = read_with_ical_js(feed_calendar([meeting, draft], name="Feed"))

    assert sorted(event["summary"] for event in events) == [
        f"{meeting.reference} Migration Working Group: Quarterly meeting",
        # The title names the group already: it is not named twice.
        "Migration Working Group: planning",
    ]


def test_the_webhook_payload_carries_the_reference(meeting):
    notice = Notice.objects.filter(meeting=meeting, kind="invitation").first()

    assert notice.payload["meeting"]["reference"] == meeting.reference


def test_an_action_point_reminder_names_the_meeting_it_was_raised_at(
    cast, mwg, django_capture_on_commit_callbacks
):
    start = timezone.now() - dt.timedelta(days=3)
    held = meeting_create(
        group=mwg,
        title="Held meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    held = meeting_mark_held(meeting=held, by=None)
    action_point_create(
        meeting=held,
        title="Map the services",
        owner_organisation=cast.moh,
        owner_person=cast.member_person,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        by=None,
    )

    with django_capture_on_commit_callbacks(execute=True):
        action_points_due_task()

    (message,) = mail.outbox
    assert message.subject.startswith(f"{held.reference} — ")
    assert held.reference in message.body
    notice = Notice.objects.get(action_point__title="Map the services", channel="email")
    assert notice.payload["action_point"]["meeting"]["reference"] == held.reference
