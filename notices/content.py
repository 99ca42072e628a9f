"""What a notice says: e-mails in the recipient's language, and webhook bodies.

Rendering happens at delivery time from the current rows, so a notice delivered late
carries the meeting as it is now; the calendar SEQUENCE tells calendar programs which
version they hold.
"""

import copy
import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from documents.announcements import meeting_has_papers, papers_added_for, papers_for_person
from groups.selectors import restricted_to_prefetch
from meetings.announcements import meeting_payload, series_seen_by
from meetings.audience import (
    Reader,
    people_who_may_see,
    reader_may_see,
    seen_by,
)
from meetings.models import Invitation, Meeting, MeetingSeries
from meetings.rsvp import rsvp_url, rsvp_url_maker
from meetings.series import first_start, occurrence_starts, series_rule_description
from members.models import Person
from notices import minutes_mail
from notices.calendar import InvitationCalendars, invitation_calendar, series_calendar
from notices.mime import NoticeEmail
from notices.models import Notice
from notices.procedure_mail import PROCEDURE_KINDS, procedure_email, procedure_webhook_data
from portal.api.serializers import utc_iso
from portal.pages import field_label

KIND = Notice.Kind


def _clock(moment: dt.datetime) -> str:
    return formats.time_format(moment, "TIME_FORMAT")


def _when(meeting: Meeting) -> dict[str, str]:
    local = timezone.localtime(meeting.start_at, meeting.zone)
    local_end = timezone.localtime(meeting.end_at, meeting.zone)
    utc_start = meeting.start_at.astimezone(dt.UTC)
    utc_end = meeting.end_at.astimezone(dt.UTC)
    return {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "weekday": formats.date_format(local, "l"),
        "local_time": f"{_clock(local)}–{_clock(local_end)}",
        "zone": meeting.time_zone,
        "utc_time": f"{_clock(utc_start)}–{_clock(utc_end)}",
        "utc_date": formats.date_format(utc_start, "DATE_FORMAT"),
    }


def _group_name(meeting: Meeting, language: str) -> str:
    group = meeting.group
    localised = {"ar": group.name_ar, "fr": group.name_fr}.get(language)
    return localised or group.name


def _with_reference(subject: str, meeting: Meeting) -> str:
    """The subject after the meeting's official reference, when it has one, so the mail
    of one meeting files together (MWG/2026/04 — Invitation: …)."""
    if not meeting.reference:
        return subject
    return _("%(reference)s — %(subject)s") % {"reference": meeting.reference, "subject": subject}


@dataclass
class Email:
    subject: str
    context: dict
    calendar: bytes | None = None
    # What the bodies depend on besides the reader's name and answer links, when the
    # bodies of readers with the same shape may be rendered once (SharedParts).
    shape: tuple | None = None


class NothingToSend(Exception):
    """The notice has nothing left to say to its recipient by the time it is sent (what
    it is about, or the papers it was to name, were relabelled out of their sight, or the
    papers were withdrawn)."""


def _hidden_from(reader: Reader, notice: Notice) -> bool:
    """Whether the notice is about something its reader may not see now (a label set or
    changed since it was written, or a notice written before labels): it is then not
    sent at all. A series' notice is weighed against its meetings (_series_email,
    webhook_body)."""
    if notice.kind in MINUTES_KINDS and notice.meeting is not None:
        return not reader_may_see(reader, notice.meeting.minutes)
    if notice.action_point is not None:
        return not reader_may_see(reader, notice.action_point)
    if notice.meeting is not None:
        return not reader_may_see(reader, notice.meeting)
    return False


MINUTES_KINDS = {KIND.MINUTES, *minutes_mail.CYCLE_KINDS}
HIDDEN = "The recipient may not see what this notice is about (its confidentiality label)."


def _meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meeting-detail", args=[meeting.pk])


def _minutes_url(meeting: Meeting) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("meeting-minutes", args=[meeting.pk])


def _paper_line(document, language: str, *, version: int | None = None) -> dict:
    item = document.agenda_item
    return {
        "title": document.title_in(language),
        "language": document.get_language_display(),
        "version": version,
        "is_new_version": version is not None and version > 1,
        "agenda_item": f"{item.position}. {item.title}" if item is not None else "",
    }


def _papers_of_meeting(meeting: Meeting, person: Person | None, language: str) -> list[dict]:
    """The meeting's papers the recipient may see (documents.announcements), for the
    invitation: titles only, the files are behind the portal's sign-in."""
    if person is None or meeting.pk is None:
        return []
    papers = (
        papers_for_person(person, meeting)
        .select_related("agenda_item")
        .order_by(F("agenda_item__position").asc(nulls_last=True), "created_at", "pk")
    )
    return [_paper_line(document, language) for document in papers]


def _answer_url(invitation: Invitation, response: str) -> str:
    if invitation.pk is None:
        # A preview's invitation is not saved: nobody may answer from a preview.
        return _("(each invitee's own link)")
    return rsvp_url(invitation, response)


# The notices that call the meeting, or call it anew at another time: they say when it
# is called inside its group's notice period, and why.
SHORT_NOTICE_KINDS = {KIND.INVITATION, KIND.UPDATE}


def _short_notice(meeting: Meeting) -> str:
    reason = meeting.short_notice_reason.strip().rstrip(".")
    if not reason:
        return ""
    return _("This meeting is called at short notice: %(reason)s.") % {"reason": reason}


def _meeting_common(meeting: Meeting, kind: str, language: str) -> dict:
    """What a meeting's e-mail of one kind says to every reader in `language` alike (in
    that language's translation)."""
    when = _when(meeting)
    subjects: dict[str, str] = {
        KIND.INVITATION: _("Invitation: %(title)s, %(date)s"),
        KIND.UPDATE: _("Updated: %(title)s, %(date)s"),
        KIND.CANCELLATION: _("Cancelled: %(title)s, %(date)s"),
        KIND.REMINDER: _("Reminder: %(title)s, %(date)s"),
        KIND.ANSWER_REMINDER: _("Please answer: %(title)s, %(date)s"),
        KIND.MINUTES: _("Minutes published: %(title)s"),
    }
    intros: dict[str, str] = {
        KIND.INVITATION: _("You are invited to a meeting of the %(group)s."),
        KIND.UPDATE: _("The meeting of the %(group)s has changed. Here are the new details."),
        KIND.CANCELLATION: _("The meeting of the %(group)s has been cancelled."),
        KIND.REMINDER: _("A reminder: the meeting of the %(group)s is coming up."),
        KIND.ANSWER_REMINDER: _(
            "We have not had your answer to the invitation to the meeting of the %(group)s."
        ),
        KIND.MINUTES: _("The minutes of the meeting of the %(group)s have been published."),
    }
    names = {"title": meeting.title, "date": when["date"], "group": _group_name(meeting, language)}
    return {
        "subject": _with_reference(subjects[kind] % names, meeting),
        "intro": intros[kind] % names,
        "group_name": names["group"],
        "when": when,
        "answer_labels": (
            _("I will attend"),
            _("I cannot attend"),
            _("I am sending an alternate"),
        ),
        "reason": meeting.cancellation_reason if kind == KIND.CANCELLATION else "",
        "short_notice": _short_notice(meeting) if kind in SHORT_NOTICE_KINDS else "",
        # The minutes themselves travel as the attached PDF (notices.minutes_mail); the
        # mail says where they are and lists what the reader acts on.
        "minutes_url": _minutes_url(meeting) if kind == KIND.MINUTES else "",
        "meeting_url": _meeting_url(meeting),
    }


ANSWERS = (
    Invitation.Response.ACCEPTED,
    Invitation.Response.DECLINED,
    Invitation.Response.ALTERNATE,
)


def _meeting_email(
    notice: Notice,
    invitation: Invitation | None,
    language: str,
    shared: "SharedParts | None" = None,
) -> Email:
    meeting = notice.meeting
    if meeting is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no meeting.")
    common = (
        _meeting_common(meeting, notice.kind, language)
        if shared is None
        else shared.common(meeting, notice.kind, language)
    )
    wants_answer = (
        notice.kind in {KIND.INVITATION, KIND.UPDATE, KIND.REMINDER, KIND.ANSWER_REMINDER}
        and meeting.status == Meeting.Status.SCHEDULED
    )
    # An alternate reads the invitation of the person who sent them: the meeting in their
    # calendar, no answer links (the answer is the invitee's, and it is given).
    in_place_of = (
        invitation.person
        if invitation is not None and invitation.person_id != notice.person_id
        else None
    )
    reader = Reader.of_person(notice.person) if notice.person is not None else None
    links = []
    if invitation is not None and in_place_of is None and wants_answer:
        answer_url = (
            shared.answer_url if shared is not None and invitation.pk is not None else _answer_url
        )
        links = [
            (label, answer_url(invitation, response))
            for label, response in zip(common["answer_labels"], ANSWERS, strict=True)
        ]
    if notice.kind != KIND.INVITATION or (shared is not None and not shared.has_papers(meeting)):
        papers = []
    else:
        papers = _papers_of_meeting(meeting, notice.person, language)
    context = {
        "kind": notice.kind,
        "intro": common["intro"],
        "meeting": meeting,
        "group_name": common["group_name"],
        "when": common["when"],
        "days_before": notice.payload.get("days_before"),
        "links": links,
        "answer": field_label(invitation, "response") if invitation and not in_place_of else "",
        "in_place_of": (
            _("You attend in place of %(person)s, who sent you as alternate.")
            % {"person": in_place_of.full_name}
            if in_place_of
            else ""
        ),
        "reason": common["reason"],
        "short_notice": common["short_notice"],
        "minutes_url": common["minutes_url"],
        # Only what the recipient may see: a restricted agenda item, decision or action
        # point they may not is left out, its title unsaid (meetings.audience).
        "agenda": _seen(reader, meeting.agenda_items.all()) if notice.kind != KIND.MINUTES else [],
        "decisions": _seen(reader, meeting.decisions.all()) if notice.kind == KIND.MINUTES else [],
        "action_points": _seen(reader, meeting.action_points.select_related("owner_organisation"))
        if notice.kind == KIND.MINUTES
        else [],
        "papers": papers,
        "meeting_url": common["meeting_url"],
    }
    calendar = None
    if invitation is not None and notice.kind != KIND.MINUTES:
        attendee = invitation
        if in_place_of is not None and notice.person is not None:
            # The alternate stands in the calendar as the one attending (not saved).
            attendee = Invitation(
                meeting=meeting, person=notice.person, response=Invitation.Response.ACCEPTED
            )
        reply_to = invitation if attendee is invitation else None
        if shared is None:
            calendar = invitation_calendar(
                meeting, [attendee], language=language, reply_to=reply_to
            )
        else:
            calendar = shared.calendars(meeting, language).for_invitee(attendee, reply_to=reply_to)
    # Everything the bodies say but the reader's name and answer links (SharedParts).
    shape = (
        meeting.pk,
        notice.kind,
        context["days_before"],
        context["answer"],
        context["in_place_of"],
        len(links),
        *(tuple(_as_written(record) for record in context[name]) for name in _RECORDS),
        tuple(tuple(sorted(paper.items())) for paper in papers),
    )
    return Email(subject=common["subject"], context=context, calendar=calendar, shape=shape)


_RECORDS = ("agenda", "decisions", "action_points")


def _row(instance) -> tuple:
    """Every column of a row as this instance holds it."""
    return tuple(field.value_from_object(instance) for field in instance._meta.concrete_fields)


def _as_written(record) -> tuple:
    """An agenda item, decision or action point as the bodies write it (its columns, and
    an action point's owner): bodies rendered for one batch are kept for the next
    (SharedParts), and one edited in between must not be found under its old key."""
    owner = getattr(record, "owner_organisation", None)
    return (*_row(record), owner.name if owner is not None else None)


def _seen(reader: Reader | None, records: Iterable) -> list:
    return [] if reader is None else seen_by(reader, records)


def _papers_added_email(notice: Notice, language: str) -> Email:
    """The papers added to the meeting in the notice's hour (documents.announcements
    batches them), as the recipient may see them now."""
    meeting = notice.meeting
    person = notice.person
    if meeting is None or person is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no meeting or recipient.")
    batch = notice.payload["papers"]
    added = papers_added_for(
        person,
        meeting,
        since=dt.datetime.fromisoformat(batch["since"]),
        until=dt.datetime.fromisoformat(batch["until"]),
    )
    if not added:
        raise NothingToSend("None of the papers added is there for the recipient any more.")
    names = {"title": meeting.title, "group": _group_name(meeting, language)}
    context = {
        "kind": notice.kind,
        "intro": _("New papers for the meeting of the %(group)s are in the portal.") % names,
        "meeting": meeting,
        "group_name": names["group"],
        "when": _when(meeting),
        "papers": [_paper_line(paper.document, language, version=paper.version) for paper in added],
        "meeting_url": _meeting_url(meeting),
        "links": [],
    }
    subject = _("Papers added: %(title)s") % names
    return Email(subject=_with_reference(subject, meeting), context=context)


SERIES_KINDS = {KIND.SERIES_INVITATION, KIND.SERIES_UPDATE, KIND.SERIES_CANCELLATION}


def _series_dates(occurrences: list[Meeting]) -> list[dict[str, str]]:
    """The series' meetings not over yet, each at its own time and zone, with what
    happened to it apart from the series."""
    now = timezone.now()
    dates = []
    for occurrence in occurrences:
        if occurrence.end_at < now:
            continue
        when = _when(occurrence)
        if occurrence.status == Meeting.Status.CANCELLED:
            note = _("cancelled")
        elif occurrence.detached_from_series:
            note = _("changed on its own")
        else:
            note = ""
        dates.append(
            {
                "date": f"{when['weekday']} {when['date']}",
                "time": f"{when['local_time']} ({when['zone']})",
                "reference": occurrence.reference,
                "note": note,
            }
        )
    return dates


def _series_short_notice(occurrences: list[Meeting]) -> str:
    """Said in the series' mail when some of its meetings are called inside the group's
    notice period, with the reason given for them."""
    for occurrence in occurrences:
        reason = occurrence.short_notice_reason.strip().rstrip(".")
        if reason and occurrence.status == Meeting.Status.SCHEDULED:
            return _("Meetings of this series are called at short notice: %(reason)s.") % {
                "reason": reason
            }
    return ""


def _series_utc_time(
    series: MeetingSeries,
    first: dt.datetime | None,
    end: dt.datetime | None,
) -> str:
    if first is None or end is None:
        return ""
    zone = series.zone
    slots = [first] + list(occurrence_starts(series))
    if len({slot.astimezone(zone).utcoffset() for slot in slots}) != 1:
        return ""
    return f"{_clock(first.astimezone(dt.UTC))}–{_clock(end.astimezone(dt.UTC))}"


def _series_email(notice: Notice, language: str, occurrences: list[Meeting] | None = None) -> Email:
    """The whole series at once: its rule, its meetings to come and a calendar file
    with the recurring event (notices.calendar.series_calendar). `occurrences`: the
    series' meetings out of draft, as a preview has them (read when not given)."""
    series = notice.series
    if series is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no meeting series.")
    if occurrences is None:
        occurrences = list(
            series.occurrences.exclude(status=Meeting.Status.DRAFT).order_by("occurrence_start")
        )
    # The meetings of the series the recipient may not see are neither listed nor in
    # their calendar: the rule leaves their dates out, as the feed does.
    if notice.person is not None:
        reader = Reader.of_person(notice.person)
        if not series_seen_by(reader, occurrences):
            raise NothingToSend(HIDDEN)
        seen = seen_by(reader, occurrences)
        hidden_slots = [
            occurrence.occurrence_start
            for occurrence in occurrences
            if occurrence not in seen and occurrence.occurrence_start is not None
        ]
        occurrences = seen
    else:
        hidden_slots = []
    group = series.group
    group_name = {"ar": group.name_ar, "fr": group.name_fr}.get(language) or group.name
    first = first_start(series)
    first_day = first.astimezone(series.zone) if first else None
    names = {
        "title": series.title,
        "group": group_name,
        "date": formats.date_format(first_day, "DATE_FORMAT") if first_day else "",
    }
    subjects: dict[str, str] = {
        KIND.SERIES_INVITATION: _("Invitation to a series of meetings: %(title)s, from %(date)s"),
        KIND.SERIES_UPDATE: _("Series of meetings changed: %(title)s"),
        KIND.SERIES_CANCELLATION: _("Series of meetings cancelled: %(title)s"),
    }
    intros: dict[str, str] = {
        KIND.SERIES_INVITATION: _(
            "You are invited to a series of meetings of the %(group)s. The attached "
            "calendar file holds the whole series; each meeting has its own agenda and "
            "invitation in the portal."
        ),
        KIND.SERIES_UPDATE: _(
            "The series of meetings of the %(group)s has changed. Here are the new details; "
            "meetings changed on their own keep their own."
        ),
        KIND.SERIES_CANCELLATION: _(
            "The series of meetings of the %(group)s has been cancelled: its meetings still "
            "to come will not take place."
        ),
    }
    end = first + dt.timedelta(minutes=series.duration_minutes) if first else None
    context = {
        "kind": notice.kind,
        "intro": intros[notice.kind] % names,
        "series": series,
        "group_name": group_name,
        "rule": series_rule_description(series),
        "series_time": (
            f"{_clock(first.astimezone(series.zone))}–{_clock(end.astimezone(series.zone))}"
            if first and end
            else ""
        ),
        # Beside the local time, the time in UTC, when the series keeps one offset from
        # UTC (no summer time between its meetings), as every meeting's notice gives it.
        "series_utc_time": _series_utc_time(series, first, end),
        "dates": _series_dates(occurrences),
        "short_notice": _series_short_notice(occurrences)
        if notice.kind in {KIND.SERIES_INVITATION, KIND.SERIES_UPDATE}
        else "",
        "series_url": settings.SITE_URL.rstrip("/") + reverse("series-detail", args=[series.pk]),
        "reason": notice.payload.get("reason", "")
        if notice.kind == KIND.SERIES_CANCELLATION
        else "",
        "links": [],
    }
    calendar = series_calendar(
        series,
        occurrences,
        attendee=notice.person,
        language=language,
        hidden_slots=hidden_slots,
    )
    return Email(subject=subjects[notice.kind] % names, context=context, calendar=calendar)


def _action_point_email(notice: Notice, language: str) -> Email:
    action_point = notice.action_point
    if action_point is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no action point.")
    due = formats.date_format(action_point.due_on, "DATE_FORMAT")
    overdue = notice.payload.get("stage") == "overdue"
    subject = (
        _("Overdue action point: %(title)s (due %(date)s)")
        if overdue
        else _("Action point due %(date)s: %(title)s")
    ) % {"title": action_point.title, "date": due}
    intro = (
        _("This action point for %(organisation)s is overdue.")
        if overdue
        else _("This action point for %(organisation)s is due soon.")
    ) % {"organisation": action_point.owner_organisation.name}
    meeting = action_point.meeting
    context = {
        "kind": notice.kind,
        "intro": intro,
        "action_point": action_point,
        "due": due,
        "meeting": meeting,
        "group_name": _group_name(meeting, language),
        "when": _when(meeting),
        "links": [],
    }
    if notice.person is not None and not reader_may_see(Reader.of_person(notice.person), meeting):
        # The owner organisation always reads its action point, not always the
        # restricted meeting that raised it: that meeting goes unnamed.
        context.update(meeting=None, when=None)
        return Email(subject=subject, context=context)
    return Email(subject=_with_reference(subject, meeting), context=context)


def _language_of(person: Person) -> str:
    return person.preferred_language or settings.LANGUAGE_CODE


@dataclass
class RenderedEmail:
    email: Email
    person: Person
    language: str
    text: str
    html: str


def _rendered(
    notice: Notice,
    invitation: Invitation | None,
    *,
    series_occurrences: list[Meeting] | None = None,
    shared: "SharedParts | None" = None,
) -> RenderedEmail:
    """The subject and the text and HTML bodies of an e-mail notice, in the recipient's
    preferred language (a series notice's meetings are `series_occurrences` when given:
    a preview's)."""
    person = notice.person
    if person is None:
        raise ValueError(f"Notice {notice.pk} is an e-mail without a recipient.")
    if _hidden_from(Reader.of_person(person), notice):
        raise NothingToSend(HIDDEN)
    language = _language_of(person)
    if notice.kind in PROCEDURE_KINDS:
        # Worded in notices.procedure_mail, with its own templates.
        mail = procedure_email(notice, language)
        if mail is None:
            raise NothingToSend(HIDDEN)
        return RenderedEmail(
            email=Email(subject=mail.subject, context={}),
            person=person,
            language=language,
            text=mail.text,
            html=mail.html,
        )
    with translation.override(language):
        if notice.kind == KIND.ACTION_DUE:
            email = _action_point_email(notice, language)
        elif notice.kind == KIND.PAPERS_ADDED:
            email = _papers_added_email(notice, language)
        elif notice.kind in SERIES_KINDS:
            email = _series_email(notice, language, series_occurrences)
        elif notice.kind in minutes_mail.CYCLE_KINDS and notice.meeting is not None:
            meeting = notice.meeting
            group_name = _group_name(meeting, language)
            subject, extra = minutes_mail.cycle_email(notice, group_name=group_name)
            context = {"meeting": meeting, "group_name": group_name, "when": _when(meeting)}
            email = Email(
                subject=_with_reference(subject, meeting),
                context={**context, "links": [], **extra},
            )
        else:
            email = _meeting_email(notice, invitation, language, shared)
        context = {
            **email.context,
            "person": person,
            "subject": email.subject,
            "language": language,
            "is_rtl": translation.get_language_bidi(),
            "site_url": settings.SITE_URL,
        }
        if shared is not None and email.shape is not None:
            text, html = shared.bodies((language, *email.shape), context)
        else:
            text = render_to_string("notices/email.txt", context)
            html = render_to_string("notices/email.html", context)
    return RenderedEmail(email=email, person=person, language=language, text=text, html=html)


# Stand-ins for what is the reader's own in bodies rendered once for many readers:
# private-use characters that no template or translation writes, and that escaping
# leaves as they are.
_NAME_SLOT = "\ue000name\ue001"
_LINK_SLOT = "\ue000link{}\ue001"


class SharedParts:
    """What the e-mails of one delivery batch have in common, worked out once.

    A meeting's invitation goes to a thousand people in three languages, and reads the
    same to all of those of one language but for their name, their answer links and
    their calendar file's ATTENDEE and ORGANIZER. So per meeting, kind and language the
    wording is looked up once; per meeting and language the calendar file is written
    once (notices.calendar.InvitationCalendars); the bodies are rendered once per shape
    (what the reader may see of the agenda and papers, their current answer: see
    Email.shape) with stand-ins for the name and links, which each message gets in
    their place (escaped in the HTML as the template would); whether the meeting has
    papers is asked once, and only when it has are each reader's looked up. Every
    message is what email_for writes without it.

    A delivery run keeps them from batch to batch (begin_batch): a fan-out's twenty
    batches wrote the same wording, calendar files and bodies twenty times over, about
    7% of the worker's time a message."""

    KEPT_SECONDS = 60

    def __init__(self) -> None:
        self._common: dict[tuple[int, str, str], dict] = {}
        self._calendars: dict[tuple[int, str], InvitationCalendars] = {}
        self._has_papers: dict[int, bool] = {}
        self._bodies: dict[tuple, tuple[str, str]] = {}
        self._answer_url: Callable[[Invitation, str], str] | None = None
        # Each meeting's rows (its own, its group's, its series') as its parts were made.
        self._made_from: dict[int, tuple] = {}
        self._since = time.monotonic()

    def begin_batch(self, notices: Iterable[Notice]) -> None:
        """Keep what the batches before made from the meetings of these notices, as
        long as each meeting, its group and its series read as they did then and for
        no longer than KEPT_SECONDS (a calendar file says when it was written, DTSTAMP);
        let go of the rest. An edited meeting is worked out anew; a meeting no longer in
        the batch takes its parts with it.
        Whether a meeting has papers is asked again: adding one changes no meeting row.
        The bodies key their agenda, decisions and action points by value
        (_as_written), so an edited item is rendered anew too."""
        if time.monotonic() - self._since > self.KEPT_SECONDS:
            self._made_from = {}
            self._since = time.monotonic()
        made_from = {}
        for notice in notices:
            meeting = notice.meeting if notice.meeting_id is not None else None
            if meeting is not None and meeting.pk not in made_from:
                series = meeting.series if meeting.series_id is not None else None
                made_from[meeting.pk] = (
                    _row(meeting),
                    _row(meeting.group),
                    _row(series) if series is not None else None,
                )
        kept = {pk for pk, rows in made_from.items() if self._made_from.get(pk) == rows}
        self._common = {key: value for key, value in self._common.items() if key[0] in kept}
        self._calendars = {key: value for key, value in self._calendars.items() if key[0] in kept}
        # A body's key is (language, meeting id, …): Email.shape after the language.
        self._bodies = {key: value for key, value in self._bodies.items() if key[1] in kept}
        self._has_papers = {}
        self._made_from = made_from

    def common(self, meeting: Meeting, kind: str, language: str) -> dict:
        key = (meeting.pk, kind, language)
        if key not in self._common:
            self._common[key] = _meeting_common(meeting, kind, language)
        return self._common[key]

    def answer_url(self, invitation: Invitation, response: str) -> str:
        if self._answer_url is None:
            self._answer_url = rsvp_url_maker()
        return self._answer_url(invitation, response)

    def calendars(self, meeting: Meeting, language: str) -> InvitationCalendars:
        key = (meeting.pk, language)
        if key not in self._calendars:
            self._calendars[key] = InvitationCalendars(meeting, language=language)
        return self._calendars[key]

    def has_papers(self, meeting: Meeting) -> bool:
        if meeting.pk not in self._has_papers:
            self._has_papers[meeting.pk] = meeting_has_papers(meeting)
        return self._has_papers[meeting.pk]

    def bodies(self, shape: tuple, context: dict) -> tuple[str, str]:
        links = context["links"]
        if shape not in self._bodies:
            stand_in = {
                **context,
                "person": SimpleNamespace(full_name=_NAME_SLOT),
                "links": [(label, _LINK_SLOT.format(n)) for n, (label, _url) in enumerate(links)],
            }
            self._bodies[shape] = (
                render_to_string("notices/email.txt", stand_in),
                render_to_string("notices/email.html", stand_in),
            )
        text, html = self._bodies[shape]
        # The links first: a name is the reader's own text, never searched after.
        for number, (_label, url) in enumerate(links):
            slot = _LINK_SLOT.format(number)
            text, html = text.replace(slot, url), html.replace(slot, escape(url))
        name = context["person"].full_name
        return text.replace(_NAME_SLOT, name), html.replace(_NAME_SLOT, escape(name))


def message_id(notice: Notice) -> str:
    """The notice's own Message-ID, the same at every sending: a message a crashed
    worker sends again (notices.delivery) is the one the reader's mail system already
    holds, not a second one. The notice's creation time keeps it apart from a notice
    of the same number in a database made anew under the same address."""
    made = int(notice.created_at.timestamp() * 1_000_000)
    return f"<notice-{notice.pk}.{made}@{urlsplit(settings.SITE_URL).hostname}>"


def email_for(
    notice: Notice, invitation: Invitation | None, *, shared: SharedParts | None = None
) -> NoticeEmail:
    """The message for an e-mail notice, in the recipient's preferred language; with
    `shared`, the parts it has in common with the batch's other messages are made once
    for all of them."""
    rendered = _rendered(notice, invitation, shared=shared)
    email, language, person = rendered.email, rendered.language, rendered.person
    message = NoticeEmail(
        subject=email.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        reader=(person.full_name, person.email),
        headers={
            "Message-ID": message_id(notice),
            "X-Tansiq-Notice": str(notice.pk),
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    if email.calendar is not None:
        cancels = notice.kind in {KIND.CANCELLATION, KIND.SERIES_CANCELLATION}
        method = "CANCEL" if cancels else "REQUEST"
        # Outlook acts on the calendar part inside the alternatives (as calendar servers
        # send it); other programs offer the attached file. Both carry the same event.
        # Django adds the charset to a text part itself (given here too, it was written
        # twice).
        message.attach_alternative(email.calendar.decode(), f"text/calendar; method={method}")
        message.attach("invite.ics", email.calendar, f"text/calendar; method={method}")
    for name, content, mimetype in minutes_mail.attachments(notice, language):
        message.attach(name, content, mimetype)
    return message


@dataclass(frozen=True)
class MessagePreview:
    """The invitation e-mail in one language, as the first of its recipients in that
    language will read it."""

    language: str
    is_rtl: bool
    subject: str
    text: str
    recipient: Person
    recipient_count: int


def _by_language(recipients: Iterable[Person]) -> list[tuple[str, list[Person]]]:
    """The recipients by the language they read, in the order of settings.LANGUAGES."""
    by_language: dict[str, list[Person]] = {}
    for person in recipients:
        by_language.setdefault(_language_of(person), []).append(person)
    rank = {code: index for index, code in enumerate(code for code, _name in settings.LANGUAGES)}
    ordered = sorted(by_language, key=lambda code: (rank.get(code, len(rank)), code))
    return [(language, by_language[language]) for language in ordered]


def _message_preview(
    language: str, rendered: RenderedEmail, people: list[Person]
) -> MessagePreview:
    return MessagePreview(
        language=language,
        is_rtl=bool(translation.get_language_info(language)["bidi"]),
        subject=rendered.email.subject,
        text=rendered.text,
        recipient=people[0],
        recipient_count=len(people),
    )


def invitation_previews(
    meeting: Meeting, recipients: Iterable[Person], *, reference: str = ""
) -> list[MessagePreview]:
    """The invitation that scheduling the meeting sends, once per language among the
    recipients (in the order of settings.LANGUAGES): rendered by the code and templates
    that render the real e-mail, with the meeting as it will be once scheduled (with
    `reference`, the official reference it will be given, when it has none yet). Nothing
    is saved or sent, and the answer links only say that each invitee gets their own
    (nobody may answer from a preview)."""
    scheduled = copy.copy(meeting)
    scheduled.status = Meeting.Status.SCHEDULED
    scheduled.reference = meeting.reference or reference
    previews = []
    # Only those the invitation will go to (meetings.announcements.meeting_announce).
    for language, people in _by_language(people_who_may_see(recipients, scheduled)):
        notice = Notice(
            kind=KIND.INVITATION,
            channel=Notice.Channel.EMAIL,
            meeting=scheduled,
            person=people[0],
            payload=meeting_payload(scheduled),
        )
        rendered = _rendered(notice, Invitation(meeting=scheduled, person=people[0]))
        previews.append(_message_preview(language, rendered, people))
    return previews


def update_previews(meeting: Meeting, recipients: Iterable[Person]) -> list[MessagePreview]:
    """The update that saving a change to a scheduled meeting sends, once per language
    among the `recipients`, rendered by the code and templates that render the real
    e-mail, with `meeting` as the change leaves it (meetings.views.meeting tries the
    change in a transaction it rolls back, and renders this inside it). Nothing is saved
    or sent. Each language's message is the one its first reader gets, with their answer
    so far (an alternate, invited by nobody, has none to give), and the answer links
    only say that each invitee gets their own."""
    by_language = _by_language(recipients)
    answers = dict(
        Invitation.objects.filter(
            meeting=meeting, person__in=[people[0] for _language, people in by_language]
        ).values_list("person_id", "response")
    )
    previews = []
    for language, people in by_language:
        reader = people[0]
        notice = Notice(
            kind=KIND.UPDATE,
            channel=Notice.Channel.EMAIL,
            meeting=meeting,
            person=reader,
            payload=meeting_payload(meeting),
        )
        # Unsaved, so that no link to answer for the reader is written into the page.
        invitation = (
            Invitation(meeting=meeting, person=reader, response=answers[reader.pk])
            if reader.pk in answers
            else None
        )
        previews.append(_message_preview(language, _rendered(notice, invitation), people))
    return previews


def series_invitation_previews(
    series: MeetingSeries, occurrences: list[Meeting], recipients: Iterable[Person]
) -> list[MessagePreview]:
    """The invitation to the whole series that scheduling it sends, once per language
    among the recipients, rendered as the real e-mail is, with `occurrences` (the
    series' meetings as they will be once scheduled: meetings.selectors.
    series_schedule_preview). Nothing is saved or sent. The series' e-mail has no
    personal links to hold back: its one link is the series' page."""
    return [
        _message_preview(
            language,
            _rendered(
                Notice(
                    kind=KIND.SERIES_INVITATION,
                    channel=Notice.Channel.EMAIL,
                    series=series,
                    person=people[0],
                    payload={},
                ),
                None,
                series_occurrences=occurrences,
            ),
            people,
        )
        for language, people in _by_language(
            person for person in recipients if series_seen_by(Reader.of_person(person), occurrences)
        )
    ]


# Meeting fields added to the payload since notices were first written: a notice
# frozen before them still sends every field its schema promises.
MEETING_FIELDS_ADDED = {"reference": "", "short_notice": False, "short_notice_reason": ""}


def _occurrences_seen(reader: Reader, occurrences: list[dict]) -> list[dict]:
    """A series payload's meetings that the reader may see now; NothingToSend when it
    had some and the reader may see none."""
    meetings = Meeting.objects.filter(pk__in=[entry["id"] for entry in occurrences])
    seen = {
        meeting.pk
        for meeting in seen_by(reader, meetings.prefetch_related(restricted_to_prefetch()))
    }
    if occurrences and not seen:
        raise NothingToSend(HIDDEN)
    return [entry for entry in occurrences if entry["id"] in seen]


def webhook_body(notice: Notice) -> bytes:
    """The call's JSON body, for an endpoint's organisation that may see what it is about
    now (NothingToSend otherwise): a series' meetings it may not see are left out."""
    data = notice.payload
    endpoint = notice.endpoint
    if endpoint is not None:
        reader = Reader.of_organisation(endpoint.organisation_id)
        if _hidden_from(reader, notice):
            raise NothingToSend(HIDDEN)
        if isinstance(data.get("occurrences"), list):
            data = {**data, "occurrences": _occurrences_seen(reader, data["occurrences"])}
        if notice.action_point is not None and not reader_may_see(
            reader, notice.action_point.meeting
        ):
            # The owner organisation hears of its action point, not of the restricted
            # meeting that raised it.
            action_point = data["action_point"]
            meeting = {**action_point["meeting"], "reference": "", "title": ""}
            data = {**data, "action_point": {**action_point, "meeting": meeting}}
    if notice.kind in PROCEDURE_KINDS:
        procedure_data = procedure_webhook_data(notice)
        if procedure_data is None:
            raise NothingToSend(HIDDEN)
        data = procedure_data
    if isinstance(data.get("meeting"), dict):
        data = {**data, "meeting": {**MEETING_FIELDS_ADDED, **data["meeting"]}}
    body = {
        "id": notice.pk,
        "event": notice.event,
        "occurred_at": utc_iso(notice.created_at),
        "data": data,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
