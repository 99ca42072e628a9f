"""What the mail says of papers: the invitation names the papers its recipient may see,
and papers added to a scheduled meeting are announced in batches (one notice per
person, meeting and hour, sent once the hour is over, naming every paper added in it
that the person may see), with a webhook call per version for the member
organisations when every member may see it."""

import datetime as dt
import email
import json
from email import policy

import jsonschema
import pytest
from django.core import mail
from django.utils import timezone

from documents.services import document_version_add, document_withdraw
from meetings.services import (
    agenda_item_add,
    invitation_create,
    meeting_create,
    meeting_schedule,
)
from notices.content import webhook_body
from notices.models import Notice
from notices.services import webhook_endpoint_register
from notices.tasks import notices_dispatch_task
from tests.api.schema import openapi
from tests.documents.paper_files import paper_add, pdf_upload

pytestmark = pytest.mark.django_db
PAPERS_ADDED = Notice.Kind.PAPERS_ADDED


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Clock:
    """The present as the services and the delivery see it, moved by the test."""

    def __init__(self, start: dt.datetime):
        self.current = start

    def now(self) -> dt.datetime:
        return self.current

    def at(self, moment: dt.datetime) -> None:
        self.current = moment


@pytest.fixture
def clock(monkeypatch):
    """Five minutes into the next clock hour (UTC), so the whole test stays ahead of
    the real present."""
    hour = timezone.now().astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    clock = Clock(hour + dt.timedelta(hours=1, minutes=5))
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


def _hour(clock: Clock) -> dt.datetime:
    return clock.current.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def meeting(cast):
    """A draft MWG meeting in ten days with one agenda item, the member, the co-chair,
    the observer and the member's colleague (no login) invited."""
    start = timezone.now() + dt.timedelta(days=10)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Border management", by=None)
    for person in (
        cast.member_person,
        cast.cochair_person,
        cast.observer_person,
        cast.member_colleague,
    ):
        invitation_create(meeting=meeting, person=person, by=None)
    return meeting


def _paper(cast, meeting, title: str, **fields):
    return paper_add(by=cast.secretariat, group=cast.mwg, meeting=meeting, title=title, **fields)


def _parsed() -> dict[str, email.message.EmailMessage]:
    """The mail sent, parsed back from its bytes, by recipient address."""
    parsed = {}
    for message in mail.outbox:
        raw = message.message().as_bytes()
        parsed_message = email.message_from_bytes(raw, policy=policy.default)
        address = parsed_message["To"].addresses[0].addr_spec
        assert address not in parsed, f"{address} got two messages"
        parsed[address] = parsed_message
    return parsed


def _text(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def _html(message: email.message.EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def _email_notices():
    return Notice.objects.filter(kind=PAPERS_ADDED, channel=Notice.Channel.EMAIL)


# --- The invitation -------------------------------------------------------------------


def test_the_invitation_names_only_the_papers_each_recipient_may_see(cast, meeting):
    _paper(cast, meeting, "Concept note", agenda_item=meeting.agenda_items.get())
    _paper(
        cast,
        meeting,
        "Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom],
    )
    _paper(
        cast,
        meeting,
        "Health ministry briefing",
        confidentiality="restricted",
        restricted_to=[cast.moh],
    )
    withdrawn = _paper(cast, meeting, "Withdrawn draft")
    document_withdraw(document=withdrawn, by=None)
    meeting_schedule(meeting=meeting, by=cast.secretariat)

    notices_dispatch_task()

    sent = _parsed()
    member = _text(sent[cast.member_person.email])
    cochair = _text(sent[cast.cochair_person.email])
    observer = _text(sent[cast.observer_person.email])
    colleague = _text(sent[cast.member_colleague.email])
    assert "Concept note" in member
    assert "Health ministry briefing" in member
    assert "Border capacity assessment" not in member
    # The co-chair manages the group: restricted papers are theirs to see.
    assert "Border capacity assessment" in cochair
    assert "Health ministry briefing" in cochair
    assert "Concept note" in observer
    assert "Border capacity assessment" not in observer
    assert "Health ministry briefing" not in observer
    # Without a login, by the organisation they were invited for.
    assert "Concept note" in colleague
    assert "Health ministry briefing" in colleague
    assert "Border capacity assessment" not in colleague
    for text in (member, cochair, observer, colleague):
        assert "Withdrawn draft" not in text
        assert f"/meetings/{meeting.pk}/" in text
    assert "Concept note" in _html(sent[cast.member_person.email])


def test_the_invitation_gives_the_titles_in_the_recipients_language(cast, meeting):
    from members.services import person_update

    person_update(person=cast.member_person, preferred_language="ar", by=None)
    _paper(cast, meeting, "Concept note", title_ar="مذكرة مفاهيمية")
    meeting_schedule(meeting=meeting, by=cast.secretariat)

    notices_dispatch_task()

    text = _text(_parsed()[cast.member_person.email])
    assert "مذكرة مفاهيمية" in text
    assert "Concept note" not in text


def test_an_invitation_without_papers_says_nothing_of_them(cast, meeting):
    meeting_schedule(meeting=meeting, by=cast.secretariat)

    notices_dispatch_task()

    assert "Papers" not in _text(_parsed()[cast.member_person.email])


# --- Papers added to a scheduled meeting ------------------------------------------------


@pytest.fixture
def scheduled(cast, meeting, clock):
    meeting = meeting_schedule(meeting=meeting, by=cast.secretariat)
    notices_dispatch_task()
    mail.outbox.clear()
    return meeting


def test_three_uploads_in_an_hour_make_one_notice_each_sent_once_after_the_hour(
    cast, scheduled, clock
):
    hour = _hour(clock)
    item = scheduled.agenda_items.get()
    _paper(cast, scheduled, "Concept note", agenda_item=item)
    clock.at(hour + dt.timedelta(minutes=20))
    _paper(cast, scheduled, "Country report", language="ar")
    clock.at(hour + dt.timedelta(minutes=40))
    _paper(cast, scheduled, "Terms of reference")
    _paper(
        cast,
        scheduled,
        "Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom],
    )

    notices = _email_notices()
    assert sorted(notices.values_list("person__full_name", flat=True)) == sorted(
        person.full_name
        for person in (
            cast.member_person,
            cast.cochair_person,
            cast.observer_person,
            cast.member_colleague,
        )
    )
    assert set(notices.values_list("next_attempt_at", flat=True)) == {hour + dt.timedelta(hours=1)}

    clock.at(hour + dt.timedelta(minutes=55))
    notices_dispatch_task()
    assert mail.outbox == []

    clock.at(hour + dt.timedelta(hours=1, minutes=1))
    notices_dispatch_task()
    notices_dispatch_task()

    sent = _parsed()
    assert len(mail.outbox) == 4
    assert set(_email_notices().values_list("status", flat=True)) == {"sent"}
    member = sent[cast.member_person.email]
    assert member["Subject"].endswith("Papers added: Quarterly meeting")
    assert member["Subject"].startswith(scheduled.reference)
    member_text = _text(member)
    for title in ("Concept note", "Country report", "Terms of reference"):
        assert title in member_text
    assert "Border capacity assessment" not in member_text
    assert "1. Border management" in member_text
    assert "Border capacity assessment" in _text(sent[cast.cochair_person.email])
    assert "Border capacity assessment" not in _text(sent[cast.member_colleague.email])


def test_an_upload_in_the_next_hour_makes_a_second_notice(cast, scheduled, clock):
    hour = _hour(clock)
    concept = _paper(cast, scheduled, "Concept note")
    clock.at(hour + dt.timedelta(hours=1, minutes=1))
    notices_dispatch_task()
    first = _text(_parsed()[cast.member_person.email])
    mail.outbox.clear()

    clock.at(hour + dt.timedelta(hours=1, minutes=10))
    document_version_add(document=concept, upload=pdf_upload(), by=cast.secretariat)
    assert _email_notices().filter(person=cast.member_person).count() == 2
    notices_dispatch_task()
    assert mail.outbox == []
    clock.at(hour + dt.timedelta(hours=2))
    notices_dispatch_task()

    second = _text(_parsed()[cast.member_person.email])
    assert "Concept note" in first
    assert "version 2" not in first
    assert "Concept note" in second
    assert "version 2" in second


def test_nobody_hears_of_a_paper_they_may_not_see(cast, scheduled):
    _paper(
        cast,
        scheduled,
        "Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom],
    )

    assert list(_email_notices().values_list("person", flat=True)) == [cast.cochair_person.pk]


def test_a_paper_withdrawn_before_the_hour_is_over_is_not_mailed(cast, scheduled, clock):
    hour = _hour(clock)
    document = _paper(cast, scheduled, "Concept note")
    document_withdraw(document=document, by=cast.secretariat)

    clock.at(hour + dt.timedelta(hours=1, minutes=1))
    notices_dispatch_task()

    assert mail.outbox == []
    assert set(_email_notices().values_list("status", flat=True)) == {"skipped"}


def test_papers_on_a_draft_or_in_a_library_are_not_announced(cast, meeting):
    _paper(cast, meeting, "Concept note")
    paper_add(by=cast.secretariat, group=cast.mwg, title="Terms of reference")

    assert not Notice.objects.filter(kind=PAPERS_ADDED).exists()


def test_the_member_organisations_hear_of_each_version_by_webhook(cast, scheduled, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)

    concept = _paper(cast, scheduled, "Concept note", agenda_item=scheduled.agenda_items.get())
    document_version_add(document=concept, upload=pdf_upload(), by=cast.secretariat)
    _paper(
        cast,
        scheduled,
        "Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom, cast.moh],
    )

    webhooks = Notice.objects.filter(kind=PAPERS_ADDED, channel=Notice.Channel.WEBHOOK)
    schema = openapi()["webhooks"]["meeting.papers_added"]["post"]["requestBody"]["content"]
    body_schema = {**schema["application/json"]["schema"], "components": openapi()["components"]}
    bodies = [json.loads(webhook_body(notice)) for notice in webhooks.order_by("pk")]
    for body in bodies:
        jsonschema.validate(body, body_schema, cls=jsonschema.Draft202012Validator)
    assert [
        (b["event"], b["data"]["paper"]["title"], b["data"]["paper"]["version"]) for b in bodies
    ] == [
        ("meeting.papers_added", "Concept note", 1),
        ("meeting.papers_added", "Concept note", 2),
    ]
    assert bodies[0]["data"]["meeting"]["id"] == scheduled.pk
