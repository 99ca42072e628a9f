"""A batch of notices shares what its messages have in common (notices.content.SharedParts):
each message is still exactly what it would be alone, and a batch asks the database the
same number of questions however many people it writes to, one write per message aside."""

import datetime as dt
import itertools

import pytest
from django.core import mail, signing
from django.utils import timezone

from documents.services import document_create
from groups.models import Confidentiality
from meetings.models import AgendaItem, Invitation, Meeting
from meetings.services import (
    agenda_item_add,
    invitation_create,
    invitation_respond,
    meeting_create,
    meeting_schedule,
)
from members.services import person_create
from notices import content, delivery
from notices.content import SharedParts, email_for
from notices.models import Notice
from portal.env import ImapMailbox
from tests.documents.paper_files import pdf_upload

pytestmark = pytest.mark.django_db
LANGUAGES = ("en", "ar", "fr")


def _meeting(cast, title: str = "Quarterly meeting"):
    start = timezone.now() + dt.timedelta(days=10)
    return meeting_create(
        group=cast.mwg,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Ministry of Planning, Tripoli",
        online_url="https://meet.example.org/mwg?a=1&b=2",
        by=None,
    )


def _invite(meeting, organisation, count: int, *, prefix: str = "Invitee"):
    for number in range(count):
        person = person_create(
            full_name=f"{prefix} {number}",
            organisation=organisation,
            email=f"{prefix.lower()}{number}@example.org",
            preferred_language=LANGUAGES[number % len(LANGUAGES)],
            by=None,
        )
        invitation_create(meeting=meeting, person=person, by=None)


def _without_stamp(calendar: str | bytes) -> str:
    text = calendar.decode() if isinstance(calendar, bytes) else calendar
    return "".join(line for line in text.splitlines(True) if not line.startswith("DTSTAMP"))


def _parts(message) -> dict:
    """What a reader gets, the calendar file's creation stamp aside."""
    return {
        "subject": message.subject,
        "to": message.to,
        "headers": message.extra_headers,
        "text": message.body,
        "alternatives": [
            (_without_stamp(content) if "calendar" in mimetype else content, mimetype)
            for content, mimetype in message.alternatives
        ],
        "attachments": [
            (name, _without_stamp(content), mimetype)
            for name, content, mimetype in message.attachments
        ],
    }


def _agenda_with_an_item_for_moh_only(cast, meeting) -> None:
    agenda_item_add(meeting=meeting, title="Opening", by=None)
    agenda_item_add(
        meeting=meeting,
        title="Health workers' visas",
        confidentiality=Confidentiality.RESTRICTED,
        restricted_to=[cast.moh],
        by=None,
    )


@pytest.mark.parametrize("replies_read", [False, True])
def test_each_message_of_a_batch_is_what_it_would_be_alone(
    cast, settings, monkeypatch, replies_read
):
    if replies_read:
        settings.INBOUND_IMAP = ImapMailbox(
            host="127.0.0.1", port=1, user="u", password="p", security="none", folder="INBOX"
        )
    meeting = _meeting(cast)
    _agenda_with_an_item_for_moh_only(cast, meeting)
    document_create(
        group=cast.mwg, meeting=meeting, title="Concept note", upload=pdf_upload(), by=None
    )
    _invite(meeting, cast.moh, 4)
    _invite(meeting, cast.embassy, 3, prefix="Envoy")
    odd = person_create(
        full_name='Dr. <b>"Hana" & Co</b>, عائشة',
        organisation=cast.mofa,
        email="hana@example.org",
        preferred_language="ar",
        by=None,
    )
    invitation_create(meeting=meeting, person=odd, by=None)
    # Account holders: their papers and agenda come from the funnels.
    for person in (cast.member_person, cast.chair_person, cast.member_colleague):
        invitation_create(meeting=meeting, person=person, by=None)
    meeting = meeting_schedule(meeting=meeting, by=None)
    invitation_respond(
        invitation=Invitation.objects.get(meeting=meeting, person__full_name="Invitee 1"),
        response=Invitation.Response.ACCEPTED,
        by=None,
    )
    invitation_respond(
        invitation=Invitation.objects.get(meeting=meeting, person=cast.member_person),
        response=Invitation.Response.ALTERNATE,
        alternate=cast.member_colleague,
        by=cast.member,
    )
    # And one sent in another's place who is not invited themselves: their invitation
    # is looked for among those sent in another's place.
    stand_in = person_create(
        full_name="Stand-in", organisation=cast.moh, email="stand-in@example.org", by=None
    )
    sender = Invitation.objects.get(meeting=meeting, person__full_name="Invitee 2")
    invitation_respond(
        invitation=sender, response=Invitation.Response.ALTERNATE, alternate=stand_in, by=None
    )

    # The answer links are signed with the time: both messages in the same second.
    monkeypatch.setattr(signing.time, "time", lambda: 1_900_000_000.0)
    token, claimed = delivery.notices_claim(limit=50)
    invitations = delivery._invitations_for(claimed)
    # A reader's own invitation is to a person the notices already hold (not read again);
    # an alternate's is to the invitee who sent them.
    in_place_of = {}
    for notice in claimed:
        invitation = invitations[(notice.meeting_id, notice.person_id)]
        if invitation.person_id == notice.person_id:
            assert invitation.person == notice.person
            assert any(invitation.person is other.person for other in claimed)
        else:
            assert invitation.alternate_id == notice.person_id
            in_place_of[notice.person.full_name] = invitation.person.full_name
    # The colleague is invited themselves, and reads their own invitation.
    assert in_place_of == {"Stand-in": "Invitee 2"}
    shared = SharedParts()
    pairs = [
        (
            email_for(notice, invitations.get((notice.meeting_id, notice.person_id))),
            email_for(
                notice, invitations.get((notice.meeting_id, notice.person_id)), shared=shared
            ),
        )
        for notice in claimed
    ]

    assert len(pairs) == Notice.objects.filter(meeting=meeting).count() >= 12
    for alone, in_batch in pairs:
        assert _parts(in_batch) == _parts(alone)
    for notice, (_, in_batch) in zip(claimed, pairs, strict=True):  # each greets its reader
        assert notice.person.full_name in in_batch.body.splitlines()[0]
    hana = next(alone for alone, _ in pairs if "hana@example.org" in alone.to[0])
    assert "Dr. &lt;b&gt;&quot;Hana&quot; &amp; Co&lt;/b&gt;, عائشة" in hana.alternatives[0][0]
    assert 'Dr. <b>"Hana" & Co</b>, عائشة' in hana.body


@pytest.mark.parametrize("invitees", [6, 30])
def test_a_batch_asks_the_same_questions_whatever_its_size(
    cast, invitees, django_assert_max_num_queries
):
    meeting = _meeting(cast, title=f"Meeting for {invitees}")
    _agenda_with_an_item_for_moh_only(cast, meeting)
    _invite(meeting, cast.moh, invitees // 2)
    _invite(meeting, cast.embassy, invitees - invitees // 2, prefix="Envoy")
    meeting_schedule(meeting=meeting, by=None)
    mail.outbox.clear()

    # Reads: the claim (ids, the update, the rows, their meeting, its agenda and labels),
    # the readers' own invitations (every reader is invited: none is looked for among
    # those sent in another's place), whether the meeting has papers.
    # Writes: each message is marked sent on its own, right after it is handed over, so
    # that a crash repeats at most the one in flight (test_notices.py).
    with django_assert_max_num_queries(9 + invitees):
        token, claimed = delivery.notices_claim(limit=100)
        sent = delivery.notices_deliver(token, claimed)

    assert sent == len(mail.outbox) == invitees
    assert set(Notice.objects.filter(meeting=meeting).values_list("status", flat=True)) == {"sent"}


def test_a_run_keeps_what_its_batches_share_until_the_meeting_changes(cast, monkeypatch):
    meeting = _meeting(cast)
    agenda_item_add(meeting=meeting, title="Opening", by=None)
    # Twelve readers whose languages go en, ar, fr, in the order of their names too.
    _invite(meeting, cast.moh, 9)
    _invite(meeting, cast.moh, 3, prefix="Juror")
    meeting_schedule(meeting=meeting, by=None)
    mail.outbox.clear()
    renders = []
    render = content.render_to_string
    monkeypatch.setattr(
        content, "render_to_string", lambda *a, **k: renders.append(a[0]) or render(*a, **k)
    )
    per_batch = []

    def between_batches() -> None:
        """Called once each batch is claimed (and read), before it is delivered: an edit
        made here is read by the next batch."""
        per_batch.append(len(renders))
        if len(per_batch) == 2:
            AgendaItem.objects.filter(meeting=meeting).update(title="Opening session")
        if len(per_batch) == 3:
            Meeting.objects.filter(pk=meeting.pk).update(venue="Ministry of Labour")
            # A paper changes no meeting row: the batch lists it all the same.
            document_create(
                group=cast.mwg,
                meeting=meeting,
                title="Labour data note",
                upload=pdf_upload(),
                by=None,
            )

    # Batches of three readers, one of each language: en, ar, fr.
    sent = delivery.notices_deliver_due(batch_size=3, on_full_batch=between_batches)

    assert sent == len(mail.outbox) == 12
    per_batch.append(len(renders))
    rendered = [after - before for before, after in itertools.pairwise(per_batch)]
    # The bodies, text and HTML, once per language; the next batch of the same meeting
    # renders none; an edited agenda item, then an edited meeting, are written anew.
    assert rendered == [6, 0, 6, 6]
    for number, message in enumerate(mail.outbox):
        batch = number // 3
        assert ("\n1. Opening session\n" in message.body) is (batch >= 2)
        assert ("\n1. Opening\n" in message.body) is (batch < 2)
        new_venue = batch == 3
        assert ("Ministry of Labour" in message.body) is new_venue
        assert ("Ministry of Planning" in message.body) is not new_venue
        # Papers are read as each message is written, not with the batch's rows.
        assert ("Labour data note" in message.body) is (batch >= 2)
        (calendar,) = [body for body, mimetype in message.alternatives if "calendar" in mimetype]
        # Unfolded by hand (RFC 5545, 3.1), not by the library that wrote it.
        (location,) = [
            line
            for line in calendar.replace("\r\n ", "").split("\r\n")
            if line.startswith("LOCATION:")
        ]
        venue = "Ministry of Labour" if new_venue else "Ministry of Planning"
        assert location.startswith(f"LOCATION:{venue}")


@pytest.mark.parametrize(("kept_seconds", "made"), [(60, [3, 0]), (0, [3, 3])])
def test_a_run_keeps_its_shared_parts_a_minute_at_most(cast, monkeypatch, kept_seconds, made):
    """A calendar file says when it was written (DTSTAMP): one kept longer would say so
    wrongly, so what a run keeps is made anew after SharedParts.KEPT_SECONDS."""
    meeting = _meeting(cast)
    _invite(meeting, cast.moh, 6)
    meeting_schedule(meeting=meeting, by=None)
    mail.outbox.clear()
    monkeypatch.setattr(SharedParts, "KEPT_SECONDS", kept_seconds)
    calendars = []
    calendars_for = content.InvitationCalendars
    monkeypatch.setattr(
        content,
        "InvitationCalendars",
        lambda *a, **k: calendars.append(a[0].pk) or calendars_for(*a, **k),
    )
    per_batch = []

    # Batches of three readers, one of each language.
    sent = delivery.notices_deliver_due(
        batch_size=3, on_full_batch=lambda: per_batch.append(len(calendars))
    )

    per_batch.append(len(calendars))
    assert sent == len(mail.outbox) == 6
    # A calendar file per language in the first batch; the second batch keeps them
    # within the minute, and writes them anew past it.
    assert [after - before for before, after in itertools.pairwise(per_batch)] == made
