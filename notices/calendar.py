"""iCalendar (RFC 5545) for meetings: feeds, invitations, updates and cancellations.

One event per meeting, with a UID that never changes and a SEQUENCE that rises with
every change invitees must hear about, so calendar programs update the event they
already hold instead of adding a new one.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone

from meetings.models import Invitation, Meeting
from notices.replies import reply_address

PRODUCT_ID = "-//Tansiq//Working group meetings//EN"
ATTENDEE_STATUS: dict[str, str] = {
    Invitation.Response.PENDING: "NEEDS-ACTION",
    Invitation.Response.ACCEPTED: "ACCEPTED",
    Invitation.Response.DECLINED: "DECLINED",
    Invitation.Response.TENTATIVE: "TENTATIVE",
    Invitation.Response.ALTERNATE: "DELEGATED",
}


def meeting_uid(meeting: Meeting) -> str:
    return meeting.calendar_uid


def _organizer(reply_to: Invitation | None = None) -> icalendar.vCalAddress:
    """The secretariat; in an invitee's own calendar file, its address for that
    invitation's replies when they are read (INBOUND_IMAP_URL)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if reply_to is not None and reply_to.pk and settings.INBOUND_IMAP is not None:
        address = reply_address(reply_to.pk)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = icalendar.vText(name or "Secretariat")
    return organizer


def _location(meeting: Meeting) -> str:
    return " — ".join(part for part in (meeting.venue, meeting.online_url) if part)


def event_summary(meeting: Meeting, language: str | None = None) -> str:
    """The meeting's title, after its group's name in the reader's language, unless the
    title already names the group."""
    group = meeting.group
    localised = {"ar": group.name_ar, "fr": group.name_fr}.get(language or "")
    label = localised or group.short_name or group.name
    names = [name for name in (group.name, group.short_name, group.name_ar, group.name_fr) if name]
    title = meeting.title
    if any(name.casefold() in title.casefold() for name in names):
        return title
    return f"{label}: {title}"


def meeting_event(
    meeting: Meeting,
    *,
    invitations: Iterable[Invitation] = (),
    cancelled: bool = False,
    language: str | None = None,
    reply_to: Invitation | None = None,
) -> icalendar.Event:
    zone = meeting.zone
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.start_at.astimezone(zone))
    event.add("dtend", meeting.end_at.astimezone(zone))
    event.add("summary", event_summary(meeting, language))
    if meeting.description:
        event.add("description", meeting.description)
    location = _location(meeting)
    if location:
        event.add("location", location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    event.add("organizer", _organizer(reply_to))
    is_cancelled = cancelled or meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if is_cancelled else "CONFIRMED")
    for invitation in invitations:
        if not invitation.person.email:
            continue
        attendee = icalendar.vCalAddress(f"mailto:{invitation.person.email}")
        attendee.params["CN"] = icalendar.vText(invitation.person.full_name)
        attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = icalendar.vText(ATTENDEE_STATUS[invitation.response])
        # A cancellation asks for no answer; an invitation asks those who have not given one.
        wants_answer = not is_cancelled and invitation.response == Invitation.Response.PENDING
        attendee.params["RSVP"] = icalendar.vText("TRUE" if wants_answer else "FALSE")
        event.add("attendee", attendee, encode=False)
    return event


def build_calendar(
    events: Iterable[icalendar.Event], *, method: str | None = None, name: str | None = None
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    years = set()
    for event in events:
        calendar.add_component(event)
        years.update({event.decoded("dtstart").year, event.decoded("dtend").year})
    body = calendar.to_ical()
    tzids = sorted(calendar.get_missing_tzids())
    if not tzids:
        return body
    # A VTIMEZONE block for every zone the events use, ahead of the events, with the
    # zone's rules from the year before the first event to the year after the last.
    first_year, last_year = min(years) - 1, max(years) + 1
    zones = b"".join(_vtimezone(tzid, first_year, last_year) for tzid in tzids)
    head, first_event, rest = body.partition(b"BEGIN:VEVENT\r\n")
    return head + zones + first_event + rest


@functools.lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """A zone's VTIMEZONE over some years, built from the tz database and serialised
    once per process. Building it probes the zone every few minutes of those years
    and serialising it writes dozens of lines: a cost each of a meeting's thousand
    invitations would otherwise pay again for the same bytes."""
    try:
        zone = icalendar.Timezone.from_tzid(
            tzid, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year, 12, 31)
        )
    except ValueError:
        return b""
    # One date per RDATE line: readers built on ical.js (Thunderbird, Nextcloud) take only
    # the first date of a list, and put every later year's meetings an hour off.
    for observance in zone.subcomponents:
        listed = observance.get("RDATE")
        if listed is None:
            continue
        lists = listed if isinstance(listed, list) else [listed]
        dates = [moment.dt for dates_list in lists for moment in dates_list.dts]
        del observance["RDATE"]
        for moment in dates:
            observance.add("rdate", moment)
    return zone.to_ical()


def invitation_calendar(
    meeting: Meeting,
    invitations: Iterable[Invitation],
    *,
    language: str | None = None,
    reply_to: Invitation | None = None,
) -> bytes:
    """METHOD:REQUEST for invitations and updates; METHOD:CANCEL once cancelled.
    `reply_to`: the invitation whose answers the calendar program's buttons give."""
    cancelled = meeting.status == Meeting.Status.CANCELLED
    event = meeting_event(
        meeting, invitations=invitations, cancelled=cancelled, language=language, reply_to=reply_to
    )
    return build_calendar([event], method="CANCEL" if cancelled else "REQUEST")


def feed_calendar(meetings: Iterable[Meeting], *, name: str, language: str | None = None) -> bytes:
    """A subscribable feed (METHOD:PUBLISH) of meetings, cancelled ones marked so."""
    return build_calendar(
        (meeting_event(meeting, language=language) for meeting in meetings),
        method="PUBLISH",
        name=name,
    )
