"""The meetings the tests of the ways out share (e-mails, the feed, webhooks, the pack,
the exports), made through the services, and how those tests read what left.

In the Migration Working Group (chair MoFA, co-chair IOM, member MoH, observer the
embassy):

- "Quarterly coordination", labelled members, with one agenda item of each label: the
  restricted one names the Ministry of Health;
- "Closed session on returns", restricted to the Ministry of Health, its one agenda
  item restricted with it.

Both are sent to the same people. Those who may read what is restricted to the
Ministry of Health: the chair (managers see everything), the member (acts for MoH) and
the member's colleague, who has no account and acts for MoH, their organisation. Those
who may not: the observer (embassy), a guest of the embassy without an account, and
the outsider (an organisation sitting in no group, invited by name).
"""

import csv
import datetime as dt
import email
import io
import json
from dataclasses import dataclass
from email import policy
from email.utils import parseaddr

import icalendar
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from groups.models import Confidentiality
from meetings.models import Meeting
from meetings.services import agenda_item_add, invitation_create, meeting_create
from members.models import Person
from members.services import person_create

MEMBERS = Confidentiality.MEMBERS
PUBLIC = Confidentiality.PUBLIC
RESTRICTED = Confidentiality.RESTRICTED

OPEN_TITLE = "Quarterly coordination"
OPEN_ITEMS = {"members": "Opening remarks", "public": "Public outreach plan"}
RESTRICTED_ITEM = "Border data exchange"
CLOSED_TITLE = "Closed session on returns"
CLOSED_DESCRIPTION = "Returns figures, not for circulation"
CLOSED_ITEM = "Returns figures by district"
# Every word of the closed meeting that may reach no one it does not name.
CLOSED_WORDS = (CLOSED_TITLE, CLOSED_DESCRIPTION, CLOSED_ITEM)

NAMED = ("chair", "member", "colleague")
NOT_NAMED = ("observer", "guest", "outsider")
READERS = NAMED + NOT_NAMED
CALENDAR_WORDS = ("SUMMARY", "DESCRIPTION", "LOCATION")


@dataclass
class Scene:
    open: Meeting
    closed: Meeting
    people: dict[str, Person]


def people_of(cast) -> dict[str, Person]:
    guest = Person.objects.filter(email="guest@example.org").first() or person_create(
        full_name="Giulia Guest", organisation=cast.embassy, email="guest@example.org", by=None
    )
    return {
        "chair": cast.chair_person,
        "member": cast.member_person,
        "colleague": cast.member_colleague,
        "observer": cast.observer_person,
        "guest": guest,
        "outsider": cast.outsider_person,
    }


def scene(cast, *, start: dt.datetime | None = None, record_past: bool = False) -> Scene:
    start = start or timezone.now() + dt.timedelta(days=20)
    people = people_of(cast)
    open_meeting = meeting_create(
        group=cast.mwg,
        title=OPEN_TITLE,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        confidentiality=MEMBERS,
        description="Quarterly review of the national plan",
        record_past=record_past,
        by=cast.secretariat,
    )
    agenda_item_add(
        meeting=open_meeting, title=OPEN_ITEMS["members"], confidentiality=MEMBERS, by=None
    )
    agenda_item_add(
        meeting=open_meeting, title=OPEN_ITEMS["public"], confidentiality=PUBLIC, by=None
    )
    agenda_item_add(
        meeting=open_meeting,
        title=RESTRICTED_ITEM,
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        by=None,
    )
    closed = meeting_create(
        group=cast.mwg,
        title=CLOSED_TITLE,
        start_at=start + dt.timedelta(days=1),
        end_at=start + dt.timedelta(days=1, hours=2),
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        description=CLOSED_DESCRIPTION,
        record_past=record_past,
        by=cast.secretariat,
    )
    agenda_item_add(meeting=closed, title=CLOSED_ITEM, by=None)
    for meeting in (open_meeting, closed):
        for person in people.values():
            invitation_create(meeting=meeting, person=person, by=None)
    return Scene(open=open_meeting, closed=closed, people=people)


# --- Reading what left ---------------------------------------------------------------


@dataclass
class Received:
    """One e-mail as its recipient's mail program reads it."""

    to: str
    subject: str
    # Every part (plain, HTML, calendar, the text of an attached PDF) decoded; the
    # calendar's lines unfolded, and its events' words as a calendar program shows them.
    text: str


def inbox() -> list[Received]:
    """Django's outbox, each message serialised and parsed back by the standard library."""
    received = []
    for message in mail.outbox:
        parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        parts = []
        for part in parsed.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            if part.get_content_type() == "application/pdf":
                # An attached PDF (the published minutes) as its reader reads it.
                content = "\n".join(
                    page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
                )
            elif isinstance(content, bytes):
                content = content.decode()
            parts.append(content.replace("\r\n ", "").replace("\n ", ""))
            if part.get_content_type() == "text/calendar":
                # As the calendar program shows it: unescaped (\, is a comma).
                for event in icalendar.Calendar.from_ical(content).walk("VEVENT"):
                    parts.extend(str(event[name]) for name in CALENDAR_WORDS if name in event)
        address = parseaddr(str(parsed["To"]))[1]
        received.append(Received(to=address, subject=str(parsed["Subject"]), text="\n".join(parts)))
    return received


def inbox_of(person: Person) -> list[Received]:
    return [message for message in inbox() if message.to == person.email]


def mentions(messages: list[Received], *words: str) -> list[str]:
    """The words found in any subject or part of these messages."""
    return [
        word
        for word in words
        if any(word in message.subject or word in message.text for message in messages)
    ]


def webhook_bodies(receiver) -> list[dict]:
    return [json.loads(call["body"]) for call in receiver.calls]


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))
