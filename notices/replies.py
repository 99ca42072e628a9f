"""Answers given with a calendar program's Accept / Decline / Tentative buttons.

Every invitation's calendar file names as organizer the secretariat's address with a
signed token for that invitation after a plus (secretariat+rsvp-12-9f…@example.org), so
the program's METHOD:REPLY comes back to the secretariat's mailbox saying which
invitation it answers. notices.inbound reads the mailbox; this module makes sense of one
message and records its answer through the same service as the answer links.

A reply counts once: each message is kept as a CalendarReply under its Message-ID, and
a message already kept is never applied again, even if filing it away failed.
"""

import datetime as dt
import email.message
import email.utils
import hashlib
import logging
import re
from dataclasses import dataclass

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from meetings.models import Invitation
from meetings.services import invitation_respond
from notices.models import CalendarReply

logger = logging.getLogger(__name__)

# A salt and an address tag, not secrets: the signature is keyed by SECRET_KEY.
TOKEN_SALT = "tansiq.calendar-reply"  # noqa: S105
TOKEN_PREFIX = "rsvp-"  # noqa: S105
_TOKEN = re.compile(
    rf"\+{TOKEN_PREFIX}(?P<id>[0-9]{{1,19}})-(?P<signature>[0-9a-f]{{20}})@", re.IGNORECASE
)
ANSWERS = {
    "ACCEPTED": Invitation.Response.ACCEPTED,
    "DECLINED": Invitation.Response.DECLINED,
    "TENTATIVE": Invitation.Response.TENTATIVE,
}
CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
Reason = CalendarReply.Reason


def _signature(invitation_id: int) -> str:
    return salted_hmac(TOKEN_SALT, str(invitation_id), algorithm="sha256").hexdigest()[:20]


def _secretariat_mailbox() -> tuple[str, str]:
    """The secretariat address's local part and domain."""
    _, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    local, _, domain = address.rpartition("@")
    return local, domain


def reply_address_prefix() -> str:
    """What every reply address starts with: the secretariat's local part, '+rsvp-'."""
    local, _ = _secretariat_mailbox()
    return f"{local}+{TOKEN_PREFIX}"


def reply_address(invitation_id: int) -> str:
    """The organizer address for one invitation's calendar file (no display name)."""
    _, domain = _secretariat_mailbox()
    return f"{reply_address_prefix()}{invitation_id}-{_signature(invitation_id)}@{domain}"


def invitation_id_in(addresses: list[str]) -> int | None:
    """The invitation named by the first address with a valid token, if any."""
    for address in addresses:
        match = _TOKEN.search(address)
        if match is None:
            continue
        invitation_id = int(match["id"])
        if constant_time_compare(match["signature"].lower(), _signature(invitation_id)):
            return invitation_id
    return None


@dataclass(frozen=True)
class ParsedReply:
    addresses: list[str]
    uid: str = ""
    attendee: str = ""
    partstat: str = ""
    stamp: dt.datetime | None = None
    comment: str = ""
    problem: str = ""
    detail: str = ""


def message_key(message: email.message.Message) -> str:
    """The message's Message-ID, or a digest of the whole message when it has none."""
    message_id = str(message.get("Message-ID", "")).strip()
    if message_id:
        return message_id[:255]
    return "sha256:" + hashlib.sha256(message.as_bytes()).hexdigest()


def _calendar_part(message: email.message.Message) -> bytes | None:
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = (part.get_filename() or "").lower()
        if part.get_content_type() in CALENDAR_TYPES or filename.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload
    return None


def _mailto(value: object) -> str:
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.strip().casefold()


def reply_parse(message: email.message.Message) -> ParsedReply:
    """What a reply says, or the problem that makes it unusable (ParsedReply.problem)."""
    headers = [
        str(value)
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        for value in message.get_all(name, [])
    ]
    addresses = [address for _, address in email.utils.getaddresses(headers)]
    body = _calendar_part(message)
    if body is None:
        return ParsedReply(addresses, problem=Reason.NOT_A_REPLY)
    try:
        calendar = icalendar.Calendar.from_ical(body)
        events = calendar.walk("VEVENT")
    except (ValueError, IndexError, KeyError) as error:
        return ParsedReply(addresses, problem=Reason.MALFORMED, detail=str(error)[:200])
    organizers = [_mailto(event.get("ORGANIZER", "")) for event in events]
    addresses += [f"<{organizer}>" for organizer in organizers if organizer]
    if str(calendar.get("METHOD", "")).upper() != "REPLY":
        return ParsedReply(addresses, problem=Reason.NOT_A_REPLY)
    if len(events) != 1:
        return ParsedReply(addresses, problem=Reason.MALFORMED, detail=f"{len(events)} events")
    event = events[0]
    attendees = event.get("ATTENDEE")
    if isinstance(attendees, list):
        # A reply speaks for one attendee; more than one is not a reply we understand.
        return ParsedReply(addresses, problem=Reason.MALFORMED, detail="several attendees")
    if attendees is None or not event.get("UID"):
        return ParsedReply(addresses, problem=Reason.MALFORMED, detail="no attendee or no UID")
    stamp = event.get("DTSTAMP")
    stamp_value = stamp.dt if stamp is not None else None
    return ParsedReply(
        addresses,
        uid=str(event["UID"]).strip(),
        attendee=_mailto(attendees),
        partstat=str(attendees.params.get("PARTSTAT", "")).upper(),
        stamp=stamp_value if isinstance(stamp_value, dt.datetime) else None,
        comment=str(event.get("COMMENT", "")).strip()[:500],
    )


def _apply(reply: ParsedReply) -> tuple[str, str, Invitation | None, str]:
    """(outcome, reason, invitation, detail) for a parsed reply, recording its answer."""
    invitation_id = invitation_id_in(reply.addresses)
    if invitation_id is None:
        return CalendarReply.Outcome.IGNORED, Reason.NO_TOKEN, None, reply.detail
    invitations = Invitation.objects.select_related("meeting__series", "person__user")
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None:
        return CalendarReply.Outcome.IGNORED, Reason.NO_INVITATION, None, str(invitation_id)
    ignored = CalendarReply.Outcome.IGNORED
    if reply.problem:
        return ignored, reply.problem, invitation, reply.detail
    # A series' meeting travels under the series' UID (notices.calendar.meeting_uid).
    series = invitation.meeting.series
    if reply.uid not in {invitation.meeting.calendar_uid, series.calendar_uid if series else ""}:
        return ignored, Reason.OTHER_MEETING, invitation, reply.uid[:200]
    if reply.attendee != invitation.person.email.casefold():
        return ignored, Reason.OTHER_ATTENDEE, invitation, reply.attendee[:200]
    answer = ANSWERS.get(reply.partstat)
    if answer is None:
        return ignored, Reason.NOT_AN_ANSWER, invitation, reply.partstat[:200]
    unchanged = CalendarReply.Outcome.UNCHANGED
    if invitation.responded_at and reply.stamp and reply.stamp < invitation.responded_at:
        return unchanged, Reason.LATER_ANSWER, invitation, ""
    if invitation.response == answer:
        return unchanged, Reason.SAME_ANSWER, invitation, ""
    try:
        invitation_respond(
            invitation=invitation,
            response=answer,
            note=reply.comment,
            by=invitation.person.user,
        )
    except ValidationError as error:
        return ignored, Reason.REFUSED, invitation, " ".join(error.messages)[:255]
    return CalendarReply.Outcome.RECORDED, "", invitation, ""


def reply_record(message: email.message.Message) -> CalendarReply:
    """Apply one message from the mailbox, once; the row says what became of it."""
    key = message_key(message)
    existing = CalendarReply.objects.filter(message_key=key).first()
    if existing is not None:
        return existing
    reply = reply_parse(message)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = CalendarReply.objects.create(
                    message_key=key,
                    sender=str(message.get("From", ""))[:320],
                    subject=str(message.get("Subject", ""))[:255],
                    outcome=CalendarReply.Outcome.IGNORED,
                )
        except IntegrityError:
            # Another reader took the same message first; its row says what happened.
            return CalendarReply.objects.get(message_key=key)
        outcome, reason, invitation, detail = _apply(reply)
        row.outcome, row.reason, row.invitation, row.detail = outcome, reason, invitation, detail
        row.answer = ANSWERS.get(reply.partstat, "") if invitation else ""
        row.save(update_fields=["outcome", "reason", "invitation", "detail", "answer"])
    log = logger.info if outcome != CalendarReply.Outcome.IGNORED else logger.warning
    log(
        "Calendar reply %s: %s%s (invitation %s)",
        key,
        outcome,
        f", {reason}" if reason else "",
        invitation.pk if invitation else "-",
    )
    return row
