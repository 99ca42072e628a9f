"""Answers given with a calendar program's buttons reach the register.

The replies are written as Outlook, Google Calendar and Thunderbird write them
(tests/notices/calendar_replies), delivered into a real IMAP server of the test's own
(Dovecot), and read by the same service beat runs.
"""

import base64
import datetime as dt
import logging
import uuid
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from imap_tools import MailBoxUnencrypted

from meetings.models import Invitation
from meetings.selectors import invitations_awaiting_answer
from meetings.services import (
    invitation_create,
    invitation_respond,
    meeting_create,
    meeting_schedule,
)
from members.services import person_create
from notices import inbound
from notices.calendar import invitation_calendar
from notices.models import CalendarReply
from notices.replies import reply_address
from notices.services import calendar_replies_read
from portal.env import ImapMailbox
from tests.servers import send_mail_to, start_smtp

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "calendar_replies"
PROGRAMS = {
    "outlook": Invitation.Response.ACCEPTED,
    "google": Invitation.Response.DECLINED,
    "thunderbird": Invitation.Response.TENTATIVE,
}
PARTSTAT = {
    Invitation.Response.ACCEPTED: "ACCEPTED",
    Invitation.Response.DECLINED: "DECLINED",
    Invitation.Response.TENTATIVE: "TENTATIVE",
}


@pytest.fixture
def mailbox(dovecot, settings):
    """The secretariat's mailbox, emptied, and the portal set to read it."""
    settings.INBOUND_IMAP = ImapMailbox(
        host="127.0.0.1",
        port=dovecot.port,
        user=dovecot.user,
        password=dovecot.password,
        security="none",
        folder="INBOX",
    )
    with MailBoxUnencrypted("127.0.0.1", dovecot.port).login(dovecot.user, dovecot.password) as box:
        for folder in ("INBOX", inbound.READ_FOLDER, inbound.IGNORED_FOLDER):
            if box.folder.exists(folder):
                box.folder.set(folder)
                box.delete(box.uids())
        box.folder.set("INBOX")
        yield box


def _fold(line: str) -> str:
    """Fold an iCalendar line at 75 octets, as the programs do."""
    data = line.encode()
    if len(data) <= 75:
        return line
    pieces, rest = [], data
    while rest:
        size = 75 if not pieces else 74
        cut = size
        while cut > 0 and (rest[cut : cut + 1][:1] or b"\x00")[0] & 0xC0 == 0x80:
            cut -= 1  # never split a UTF-8 character
        pieces.append(rest[:cut].decode())
        rest = rest[cut:]
    return "\r\n ".join(pieces)


def reply_message(
    program: str,
    *,
    invitation: Invitation,
    answer: str,
    organizer: str | None = None,
    uid: str | None = None,
    attendee: str | None = None,
    stamp: dt.datetime | None = None,
    message_id: str | None = None,
    calendar_text: str | None = None,
) -> bytes:
    """A reply as `program` writes it, for `invitation`, to `organizer` (by default the
    invitation's own reply address)."""
    person = invitation.person
    attendee = attendee or person.email
    organizer = organizer or reply_address(invitation.pk)
    values = {
        "organizer": organizer,
        "attendee": attendee,
        "attendee_upper": attendee.upper(),
        "attendee_name": person.full_name,
        "partstat": PARTSTAT.get(answer, answer),
        "uid": uid or invitation.meeting.calendar_uid,
        "summary": invitation.meeting.title,
        "dtstamp": (stamp or timezone.now()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
        "message_id": message_id or uuid.uuid4().hex,
    }
    if calendar_text is None:
        template = (SAMPLES / f"{program}.ics").read_text()
        calendar_text = "\r\n".join(_fold(line) for line in template.format(**values).splitlines())
    encoded = base64.encodebytes(calendar_text.encode()).decode()
    message = (
        (SAMPLES / f"{program}.eml")
        .read_text()
        .format(calendar_text=calendar_text, calendar_base64=encoded.strip(), **values)
    )
    return "\r\n".join(message.splitlines()).encode() + b"\r\n"


def deliver(mailbox, program: str, **reply) -> None:
    """Put a reply in the secretariat's mailbox, as the mail server would."""
    mailbox.append(reply_message(program, **reply), "INBOX")


def _invitee(cast, name="Tarhuni, Amal", email_address="amal.tarhuni@example.org"):
    start = timezone.now() + dt.timedelta(days=14)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary (December)",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
    )
    person = person_create(full_name=name, organisation=cast.moh, email=email_address, by=None)
    invitation = invitation_create(meeting=meeting, person=person, by=None)
    meeting_schedule(meeting=meeting, by=None)
    invitation.refresh_from_db()
    return invitation


def _folder_uids(box, folder: str) -> list[str]:
    box.folder.set(folder)
    uids = box.uids()
    box.folder.set("INBOX")
    return uids


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_calendar_programs_answer_is_recorded_once(cast, mailbox, program):
    invitation = _invitee(cast)
    answer = PROGRAMS[program]
    deliver(mailbox, program, invitation=invitation, answer=answer)

    counts = calendar_replies_read()

    invitation.refresh_from_db()
    assert invitation.response == answer
    assert counts[CalendarReply.Outcome.RECORDED] == 1
    # No more "please answer" reminders for this invitee.
    awaiting = invitations_awaiting_answer(queryset=Invitation.objects.filter(pk=invitation.pk))
    assert not awaiting.exists()
    (reply,) = CalendarReply.objects.all()
    assert (reply.invitation, reply.outcome, reply.answer) == (
        invitation,
        CalendarReply.Outcome.RECORDED,
        answer,
    )
    assert _folder_uids(mailbox, "INBOX") == []
    assert len(_folder_uids(mailbox, inbound.READ_FOLDER)) == 1
    if program == "outlook":
        assert invitation.response_note == "Looking forward to it."

    # Read again: nothing is left to read, and nothing changes.
    again = calendar_replies_read()
    assert sum(again.values()) == 0
    assert CalendarReply.objects.count() == 1


def test_the_whole_way_round_through_smtp_and_imap(
    cast, mailbox, settings, django_capture_on_commit_callbacks
):
    """The organizer address the invitee's program answers is the one in the invitation
    the portal mailed."""
    inbox, controller, port = start_smtp()
    send_mail_to(settings, port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            invitation = _invitee(cast)
    finally:
        controller.stop()
    (received,) = [
        m for m in inbox.parsed() if m["To"].addresses[0].addr_spec == invitation.person.email
    ]
    part = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    organizer = str(event["ORGANIZER"]).removeprefix("mailto:")
    assert organizer == reply_address(invitation.pk)
    assert str(event["ATTENDEE"].params["RSVP"]) == "TRUE"

    deliver(
        mailbox,
        "outlook",
        invitation=invitation,
        organizer=organizer,
        answer=Invitation.Response.ACCEPTED,
    )
    calendar_replies_read()

    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.ACCEPTED


def test_the_organizer_is_the_plain_secretariat_address_when_nothing_reads_replies(cast, settings):
    settings.INBOUND_IMAP = None
    invitation = _invitee(cast)
    body = invitation_calendar(invitation.meeting, [invitation], reply_to=invitation)
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:secretariat@tansiq.local"


def test_other_mail_in_the_mailbox_is_left_alone(cast, mailbox):
    letter = (
        b"From: Someone <someone@example.org>\r\nTo: secretariat@tansiq.local\r\n"
        b"Subject: Agenda for next week\r\nMessage-ID: <letter@example.org>\r\n\r\nHello\r\n"
    )
    mailbox.append(letter, "INBOX")

    counts = calendar_replies_read()

    assert sum(counts.values()) == 0
    assert CalendarReply.objects.count() == 0
    (message,) = list(mailbox.fetch(mark_seen=False))
    assert message.subject == "Agenda for next week"
    assert "\\Seen" not in message.flags


def _assert_ignored(mailbox, invitation, reason, caplog):
    assert CalendarReply.objects.get().outcome == CalendarReply.Outcome.IGNORED
    assert CalendarReply.objects.get().reason == reason
    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.PENDING
    assert invitation.responded_at is None
    assert _folder_uids(mailbox, "INBOX") == []
    assert len(_folder_uids(mailbox, inbound.IGNORED_FOLDER)) == 1
    assert any(
        record.levelno == logging.WARNING and reason in record.getMessage()
        for record in caplog.records
    )


def test_a_forged_token_is_ignored(cast, mailbox, caplog):
    invitation = _invitee(cast)
    genuine = reply_address(invitation.pk)
    local, _, domain = genuine.partition("@")
    forged = f"{local[:-4]}{'0000' if not local.endswith('0000') else '1111'}@{domain}"
    deliver(
        mailbox,
        "thunderbird",
        invitation=invitation,
        organizer=forged,
        answer=Invitation.Response.ACCEPTED,
    )
    calendar_replies_read()
    _assert_ignored(mailbox, invitation, CalendarReply.Reason.NO_TOKEN, caplog)


def test_another_invitations_token_does_not_answer_this_one(cast, mailbox, caplog):
    invitation = _invitee(cast)
    other = _invitee(cast, name="Salem Ahmed", email_address="salem@example.org")
    deliver(
        mailbox,
        "google",
        invitation=invitation,
        organizer=reply_address(other.pk),
        answer=Invitation.Response.DECLINED,
    )
    calendar_replies_read()
    # The token names `other`; the reply's meeting and attendee are `invitation`'s.
    _assert_ignored(mailbox, invitation, CalendarReply.Reason.OTHER_MEETING, caplog)
    other.refresh_from_db()
    assert other.response == Invitation.Response.PENDING


def test_a_reply_from_someone_else_is_ignored(cast, mailbox, caplog):
    invitation = _invitee(cast)
    deliver(
        mailbox,
        "outlook",
        invitation=invitation,
        answer=Invitation.Response.ACCEPTED,
        attendee="forwarded.to@example.org",
    )
    calendar_replies_read()
    _assert_ignored(mailbox, invitation, CalendarReply.Reason.OTHER_ATTENDEE, caplog)


def test_a_malformed_reply_is_ignored(cast, mailbox, caplog):
    invitation = _invitee(cast)
    deliver(
        mailbox,
        "thunderbird",
        invitation=invitation,
        answer=Invitation.Response.ACCEPTED,
        calendar_text="BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x\r\n",
    )
    calendar_replies_read()
    _assert_ignored(mailbox, invitation, CalendarReply.Reason.MALFORMED, caplog)


def test_a_delegation_is_not_taken_as_an_answer(cast, mailbox, caplog):
    invitation = _invitee(cast)
    deliver(
        mailbox,
        "google",
        invitation=invitation,
        answer="DELEGATED",
    )
    calendar_replies_read()
    _assert_ignored(mailbox, invitation, CalendarReply.Reason.NOT_AN_ANSWER, caplog)


def test_a_message_read_twice_counts_once(cast, mailbox):
    """Filing away can fail after the answer is recorded; the copy read again must not
    undo an answer given since through an answer link."""
    invitation = _invitee(cast)
    message = reply_message(
        "outlook",
        invitation=invitation,
        answer=Invitation.Response.ACCEPTED,
        stamp=timezone.now() + dt.timedelta(minutes=5),
        message_id="same-message",
    )
    mailbox.append(message, "INBOX")
    calendar_replies_read()
    invitation_respond(invitation=invitation, response=Invitation.Response.DECLINED, by=None)

    mailbox.append(message, "INBOX")
    counts = calendar_replies_read()

    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.DECLINED
    assert CalendarReply.objects.count() == 1
    assert counts[CalendarReply.Outcome.RECORDED] == 1  # the first row, not a new one
    assert _folder_uids(mailbox, "INBOX") == []


def test_an_older_reply_does_not_overwrite_a_later_answer(cast, mailbox):
    invitation = _invitee(cast)
    invitation_respond(invitation=invitation, response=Invitation.Response.DECLINED, by=None)
    deliver(
        mailbox,
        "thunderbird",
        invitation=invitation,
        answer=Invitation.Response.ACCEPTED,
        stamp=timezone.now() - dt.timedelta(hours=1),
    )
    calendar_replies_read()
    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.DECLINED
    reply = CalendarReply.objects.get()
    assert (reply.outcome, reply.reason) == (
        CalendarReply.Outcome.UNCHANGED,
        CalendarReply.Reason.LATER_ANSWER,
    )


def test_a_reply_after_cancellation_is_refused_and_kept(cast, mailbox, caplog):
    from meetings.services import meeting_cancel

    invitation = _invitee(cast)
    meeting_cancel(meeting=invitation.meeting, reason="Postponed", by=None)
    deliver(
        mailbox,
        "google",
        invitation=invitation,
        answer=Invitation.Response.ACCEPTED,
    )
    calendar_replies_read()
    _assert_ignored(mailbox, invitation, CalendarReply.Reason.REFUSED, caplog)
    assert "cancelled" in CalendarReply.objects.get().detail


def test_reading_needs_no_mailbox_when_none_is_configured(settings):
    settings.INBOUND_IMAP = None
    assert sum(calendar_replies_read().values()) == 0
