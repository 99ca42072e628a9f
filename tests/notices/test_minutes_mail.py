"""The mail of the minutes' cycle, read back from the bytes sent: the draft circulated
for comments, the reminder, and the published minutes with their PDF attached."""

import datetime as dt
import email
import io
import json
from email import policy

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from meetings.minutes_cycle import (
    minutes_circulate,
    minutes_comment_reminders_send,
    minutes_template,
)
from meetings.services import minutes_approve, minutes_publish, minutes_save
from members.models import Person
from notices.content import webhook_body
from notices.models import Notice
from tests.meetings.minutes_world import build_world


@pytest.fixture
def world(cast):
    return build_world(cast)


def _deliver(capture, action):
    with capture(execute=True), transaction.atomic():
        return action()


def _messages_to(address: str) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        for message in mail.outbox
        if any(address in recipient for recipient in message.to)
    ]


def _pdf_text(message) -> str:
    attachments = [part for part in message.iter_attachments() if part.get_filename()]
    pdfs = [part for part in attachments if part.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1
    reader = PdfReader(io.BytesIO(pdfs[0].get_content()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _published(cast, world, capture):
    minutes = minutes_save(
        meeting=world.meeting, body=minutes_template(world.meeting, "en"), by=cast.secretariat
    )
    minutes = minutes_approve(minutes=minutes, by=cast.secretariat, on_behalf_of=cast.chair_person)
    return _deliver(capture, lambda: minutes_publish(minutes=minutes, by=cast.secretariat))


def test_published_mail_carries_the_decisions_and_the_pdf(
    cast, world, django_capture_on_commit_callbacks
):
    _published(cast, world, django_capture_on_commit_callbacks)

    (message,) = _messages_to("member@example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    # Each decision and action point once: the minutes' text (which quotes them under
    # their items) travels as the PDF, and the mail links to the minutes' page.
    assert body.count("Adopt the returns referral pathway.") == 1
    assert body.count("Map the reintegration services") == 1
    assert "## 2. Voluntary returns" not in body
    assert f"/meetings/{world.meeting.pk}/minutes/" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert html.count("Adopt the returns referral pathway.") == 1
    text = _pdf_text(message)
    assert "2. Voluntary returns" in text
    assert "Adopt the returns referral pathway." in text
    assert "Map the reintegration services" in text
    assert "Approved by the secretariat on behalf of Jaalal Alashi (chair)" in text


def test_published_mail_reaches_the_walk_ins(cast, world, django_capture_on_commit_callbacks):
    _published(cast, world, django_capture_on_commit_callbacks)
    # The outsider came without an invitation and sits in no group.
    assert len(_messages_to("outsider@example.org")) == 1


def test_published_pdf_is_in_the_readers_language(cast, world, django_capture_on_commit_callbacks):
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language="ar")
    _published(cast, world, django_capture_on_commit_callbacks)
    (message,) = _messages_to("member@example.org")
    assert message["Content-Language"] == "ar"
    text = _pdf_text(message)
    assert "Adopt the returns referral pathway." in text
    # The headings in Arabic, read back in reading order (meetings.pdf).
    assert "القرارات" in text
    assert "نقاط العمل" in text


def test_circulated_mail_and_reminder_say_until_when_and_link_the_draft(
    cast, world, django_capture_on_commit_callbacks
):
    minutes = minutes_save(
        meeting=world.meeting, body=minutes_template(world.meeting, "en"), by=cast.secretariat
    )
    until = timezone.now() + dt.timedelta(hours=20)
    _deliver(
        django_capture_on_commit_callbacks,
        lambda: minutes_circulate(minutes=minutes, comments_until=until, by=cast.secretariat),
    )
    (circulated,) = _messages_to("member@example.org")
    assert circulated["Subject"].startswith(world.meeting.reference)
    assert "Draft minutes for comments until" in circulated["Subject"]
    text = circulated.get_body(preferencelist=("plain",)).get_content()
    assert f"/meetings/{world.meeting.pk}/minutes/" in text
    assert not _messages_to("observer@example.org")
    assert not _messages_to("outsider@example.org")

    mail.outbox.clear()
    _deliver(django_capture_on_commit_callbacks, minutes_comment_reminders_send)
    (reminder,) = _messages_to("member@example.org")
    assert "Comments close" in reminder["Subject"]


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_circulated_mail_in_arabic_and_french(
    cast, world, django_capture_on_commit_callbacks, language
):
    Person.objects.filter(pk=cast.member_person.pk).update(preferred_language=language)
    minutes = minutes_save(meeting=world.meeting, body="## 1. Opening\nOpened.", by=None)
    _deliver(
        django_capture_on_commit_callbacks,
        lambda: minutes_circulate(
            minutes=minutes, comments_until=timezone.now() + dt.timedelta(days=3), by=None
        ),
    )
    (message,) = _messages_to("member@example.org")
    assert message["Content-Language"] == language


def test_webhook_body_of_a_circulated_draft(cast, world):
    from django.test import override_settings

    from notices.services import webhook_endpoint_register

    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        webhook_endpoint_register(
            organisation=cast.moh, url="https://hooks.moh.example.org/t", by=None
        )
    minutes = minutes_save(meeting=world.meeting, body="## 1. Opening\nOpened.", by=None)
    minutes_circulate(
        minutes=minutes, comments_until=timezone.now() + dt.timedelta(days=3), by=None
    )
    notice = Notice.objects.get(kind=Notice.Kind.MINUTES_CIRCULATED, channel="webhook")
    body = json.loads(webhook_body(notice))
    assert body["event"] == "minutes.circulated"
    assert body["data"]["minutes_circulated"]["id"] == minutes.pk
    assert body["data"]["minutes_circulated"]["comments_until"].endswith("Z")
