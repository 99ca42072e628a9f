"""iCalendar (RFC 5545) for meetings: feeds, invitations, updates and cancellations.

One event per meeting, with a UID that never changes and a SEQUENCE that rises with
every change invitees must hear about, so calendar programs update the event they
already hold instead of adding a new one.

A series is one recurring event: a master with the series' UID, its rule (RRULE),
the slots of its cancelled meetings (EXDATE) and SEQUENCE, and an override per meeting
that differs from the rule (moved or changed by hand, or held before the series
changed), under the same UID with the meeting's slot as RECURRENCE-ID. A meeting of a
series is that override wherever it travels alone (its own update or cancellation), so
calendar programs change that one date of the series they hold and leave the rest.
An override's SEQUENCE is the series' plus the meeting's own: it rises with either.
"""

import datetime as dt
import functools
from collections.abc import Iterable
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone
from icalendar.parser import Contentline

from groups.models import CoordinationGroup
from meetings.models import Invitation, Meeting, MeetingSeries
from meetings.series import first_start, last_start, rrule_text
from members.models import Person
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
    """The meeting's UID; a series' meeting is known by the series' UID (and its slot)."""
    series = meeting.series
    return series.calendar_uid if series is not None else meeting.calendar_uid


def meeting_sequence(meeting: Meeting) -> int:
    series = meeting.series
    return meeting.sequence + (series.sequence if series is not None else 0)


def _organizer(reply_to: Invitation | None = None) -> icalendar.vCalAddress:
    """The secretariat; in an invitee's own calendar file, its address for that
    invitation's replies when they are read (INBOUND_IMAP_URL)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if reply_to is not None and reply_to.pk and settings.INBOUND_IMAP is not None:
        address = reply_address(reply_to.pk)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = icalendar.vText(name or "Secretariat")
    return organizer


def _location(meeting: Meeting | MeetingSeries) -> str:
    return " — ".join(part for part in (meeting.venue, meeting.online_url) if part)


def _summary(group: CoordinationGroup, title: str, language: str | None) -> str:
    """The title after its group's name in the reader's language, unless the title
    already names the group."""
    localised = {"ar": group.name_ar, "fr": group.name_fr}.get(language or "")
    label = localised or group.short_name or group.name
    names = [name for name in (group.name, group.short_name, group.name_ar, group.name_fr) if name]
    if any(name.casefold() in title.casefold() for name in names):
        return title
    return f"{label}: {title}"


def event_summary(meeting: Meeting, language: str | None = None) -> str:
    """The meeting's official reference, then its title after its group's name in the
    reader's language, unless the title already names the group
    (MWG/2026/04 Migration Working Group: Quarterly meeting). A meeting of a series goes
    without it: calendars show the series as one event whose every date reads as the
    series' title, and a moved date reading otherwise would look like another meeting."""
    title = _summary(meeting.group, meeting.title, language)
    if meeting.reference and meeting.series_id is None:
        return f"{meeting.reference} {title}"
    return title


def _attendee(person: Person, *, status: str, rsvp: bool) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{person.email}")
    attendee.params["CN"] = icalendar.vText(person.full_name)
    attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = icalendar.vText(status)
    attendee.params["RSVP"] = icalendar.vText("TRUE" if rsvp else "FALSE")
    return attendee


def _add_attendee(event: icalendar.Event, person: Person, *, status: str, rsvp: bool) -> None:
    if person.email:
        event.add("attendee", _attendee(person, status=status, rsvp=rsvp), encode=False)


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
    event.add("sequence", meeting_sequence(meeting))
    event.add("dtstamp", timezone.now())
    if meeting.series is not None and meeting.occurrence_start is not None:
        # The slot in the zone of the series' DTSTART, as the rule gives it.
        event.add("recurrence-id", meeting.occurrence_start.astimezone(meeting.series.zone))
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
        # A cancellation asks for no answer; an invitation asks those who have not given one.
        wants_answer = not is_cancelled and invitation.response == Invitation.Response.PENDING
        _add_attendee(
            event,
            invitation.person,
            status=ATTENDEE_STATUS[invitation.response],
            rsvp=wants_answer,
        )
    return event


def build_calendar(
    events: Iterable[icalendar.Event],
    *,
    method: str | None = None,
    name: str | None = None,
    years: Iterable[int] = (),
) -> bytes:
    """The calendar file; `years` adds years the events' rules reach (a series' last
    meeting), so the time-zone rules cover them too."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    years = set(years)
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


def _property_line(name: str, value: icalendar.vCalAddress) -> bytes:
    """One property as a calendar file writes it (folded, CRLF-ended): the content line
    a component's to_ical writes for it, made without a component around it (a
    thousand invitations write two each)."""
    line = Contentline.from_parts(name.upper(), value.params, value, sorted=True)
    return line.to_ical() + b"\r\n"


class InvitationCalendars:
    """invitation_calendar for many invitees of one meeting in one language.

    A meeting's thousand invitations carry one event that differs from reader to
    reader only in its ORGANIZER (the reply address of their invitation, when replies
    are read) and ATTENDEE lines. The file is serialised once, with a stand-in line for
    each, and every invitee's own lines are put in their place: the same bytes
    invitation_calendar writes (properties are written in name order, whatever their
    values), but for DTSTAMP, the time this was built rather than each file's own."""

    _SLOT = "tansiq-slot.invalid"

    def __init__(self, meeting: Meeting, *, language: str | None = None) -> None:
        self.cancelled = meeting.status == Meeting.Status.CANCELLED
        event = meeting_event(meeting, cancelled=self.cancelled, language=language)
        event["organizer"] = icalendar.vCalAddress(f"mailto:organizer@{self._SLOT}")
        event.add("attendee", icalendar.vCalAddress(f"mailto:attendee@{self._SLOT}"), encode=False)
        body = build_calendar([event], method="CANCEL" if self.cancelled else "REQUEST")
        stand_ins = sorted(
            (body.index(line), len(line), name)
            for name, line in (
                ("organizer", f"ORGANIZER:mailto:organizer@{self._SLOT}\r\n".encode()),
                ("attendee", f"ATTENDEE:mailto:attendee@{self._SLOT}\r\n".encode()),
            )
        )
        (first_at, first_length, first), (second_at, second_length, _second) = stand_ins
        self._parts = (
            body[:first_at],
            body[first_at + first_length : second_at],
            body[second_at + second_length :],
        )
        self._organizer_first = first == "organizer"
        self._default_organizer = _property_line("organizer", _organizer())

    def for_invitee(self, attendee: Invitation, *, reply_to: Invitation | None = None) -> bytes:
        """The file for `attendee`'s invitation (invitation_calendar(meeting, [attendee],
        reply_to=reply_to))."""
        head, middle, tail = self._parts
        organizer = (
            self._default_organizer
            if reply_to is None or not reply_to.pk or settings.INBOUND_IMAP is None
            else _property_line("organizer", _organizer(reply_to))
        )
        person = attendee.person
        attendee_line = b""
        if person.email:
            wants_answer = not self.cancelled and attendee.response == Invitation.Response.PENDING
            status = ATTENDEE_STATUS[attendee.response]
            attendee_line = _property_line(
                "attendee", _attendee(person, status=status, rsvp=wants_answer)
            )
        if self._organizer_first:
            return head + organizer + middle + attendee_line + tail
        return head + attendee_line + middle + organizer + tail


def _differs_from_rule(series: MeetingSeries, occurrence: Meeting) -> bool:
    """Whether the meeting is not what the series' master gives for its slot."""
    slot = occurrence.occurrence_start
    if slot is None:
        return True
    return (
        occurrence.start_at != slot
        or occurrence.end_at != slot + dt.timedelta(minutes=series.duration_minutes)
        or occurrence.title != series.title
        or occurrence.venue != series.venue
        or occurrence.online_url != series.online_url
        or occurrence.description != series.description
    )


def series_years(series: MeetingSeries) -> set[int]:
    """The years from the series' first meeting to its last, in its zone."""
    moments = [moment for moment in (first_start(series), last_start(series)) if moment]
    years = {moment.astimezone(series.zone).year for moment in moments}
    return set(range(min(years), max(years) + 1)) if years else set()


def series_events(
    series: MeetingSeries,
    occurrences: Iterable[Meeting],
    *,
    language: str | None = None,
    attendee: Person | None = None,
    cancelled: bool = False,
    excluded_slots: Iterable[dt.datetime] | None = None,
) -> list[icalendar.Event]:
    """The series as a calendar holds it: the master and the overrides of `occurrences`
    (its meetings out of draft, or those one person holds) that differ from the rule.

    Left out of the rule (EXDATE): the slots of the cancelled `occurrences`, or
    `excluded_slots` when given (the feed's, per person). `cancelled`: the master alone,
    cancelled (METHOD:CANCEL of its UID). Otherwise a cancelled series ends at its last
    meeting that was not cancelled, so the meetings that took place stay in the feed.
    """
    first = first_start(series)
    if first is None:
        return []
    occurrences = list(occurrences)
    for occurrence in occurrences:
        occurrence.series = series
    live = [o for o in occurrences if o.status != Meeting.Status.CANCELLED]
    if excluded_slots is None:
        excluded_slots = [
            o.occurrence_start
            for o in occurrences
            if o.status == Meeting.Status.CANCELLED and o.occurrence_start is not None
        ]
    until = None
    if not cancelled and series.status == MeetingSeries.Status.CANCELLED:
        slots = [o.occurrence_start for o in live if o.occurrence_start is not None]
        if slots:
            until = max(slots)
        else:
            cancelled = True
    zone = series.zone
    master = icalendar.Event()
    master.add("uid", series.calendar_uid)
    master.add("sequence", series.sequence)
    master.add("dtstamp", timezone.now())
    master.add("dtstart", first.astimezone(zone))
    master.add("dtend", (first + dt.timedelta(minutes=series.duration_minutes)).astimezone(zone))
    master.add("rrule", icalendar.vRecur.from_ical(rrule_text(series, until=until)))
    # One date a line: readers built on ical.js take only the first date of a list.
    for slot in sorted(set(excluded_slots)):
        if until is None or slot <= until:
            master.add("exdate", slot.astimezone(zone))
    master.add("summary", _summary(series.group, series.title, language))
    if series.description:
        master.add("description", series.description)
    location = _location(series)
    if location:
        master.add("location", location)
    if series.online_url:
        master.add("url", series.online_url)
    master.add("organizer", _organizer())
    master.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if attendee is not None:
        _add_attendee(master, attendee, status="NEEDS-ACTION", rsvp=False)
    events = [master]
    if cancelled:
        return events
    for occurrence in live:
        start = occurrence.occurrence_start
        if until is not None and start is not None and start > until:
            continue
        if _differs_from_rule(series, occurrence):
            override = meeting_event(occurrence, language=language)
            if attendee is not None:
                _add_attendee(override, attendee, status="NEEDS-ACTION", rsvp=False)
            events.append(override)
    return events


def series_calendar(
    series: MeetingSeries,
    occurrences: Iterable[Meeting],
    *,
    attendee: Person | None = None,
    language: str | None = None,
    hidden_slots: Iterable[dt.datetime] = (),
) -> bytes:
    """The whole series for an invitee: METHOD:REQUEST (invitation, change) with the
    master and its overrides. A cancelled series whose meetings have all been called off
    is a METHOD:CANCEL of the master; one that met before it was cancelled is a REQUEST
    whose rule ends at its last meeting, so calendars keep the meetings that took place
    (a CANCEL of the UID would take them out too). `hidden_slots`: the slots of the
    series' meetings the invitee may not see (a restricted label), left out of the rule
    like cancelled ones."""
    occurrences = list(occurrences)
    hidden_slots = list(hidden_slots)
    excluded = None
    if hidden_slots:
        excluded = hidden_slots + [
            o.occurrence_start
            for o in occurrences
            if o.status == Meeting.Status.CANCELLED and o.occurrence_start is not None
        ]
    events = series_events(
        series, occurrences, language=language, attendee=attendee, excluded_slots=excluded
    )
    called_off = bool(events) and str(events[0].get("status")) == "CANCELLED"
    return build_calendar(
        events, method="CANCEL" if called_off else "REQUEST", years=series_years(series)
    )


def feed_calendar(meetings: Iterable[Meeting], *, name: str, language: str | None = None) -> bytes:
    """A subscribable feed (METHOD:PUBLISH) of meetings, cancelled ones marked so. The
    meetings of a series come as the series, once: its rule without the slots of the
    series' other meetings out of draft that this person does not hold (cancelled, or
    not invited to), and overrides for theirs that differ from the rule."""
    events: list[icalendar.Event] = []
    years: set[int] = set()
    held_by_series: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        if meeting.series_id is None:
            events.append(meeting_event(meeting, language=language))
        else:
            held_by_series.setdefault(meeting.series_id, []).append(meeting)
    for held in held_by_series.values():
        series = held[0].series
        if series is None:  # never: grouped by their series
            continue
        announced = getattr(series, "announced_occurrences", None)
        if announced is None:
            announced = list(series.occurrences.exclude(status=Meeting.Status.DRAFT))
        kept = {m.occurrence_start for m in held if m.status != Meeting.Status.CANCELLED}
        excluded = [
            o.occurrence_start
            for o in announced
            if o.occurrence_start is not None and o.occurrence_start not in kept
        ]
        events += series_events(series, held, language=language, excluded_slots=excluded)
        years |= series_years(series)
    return build_calendar(events, method="PUBLISH", name=name, years=years)
