"""What a notice says: e-mails in the recipient's language, and webhook bodies.

Rendering happens at delivery time from the current rows, so a notice delivered late
carries the meeting as it is now; the calendar SEQUENCE tells calendar programs which
version they hold.
"""

import datetime as dt
import json
from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from meetings.models import Invitation, Meeting
from meetings.rsvp import rsvp_url
from notices.calendar import invitation_calendar
from notices.models import Notice
from portal.api.serializers import utc_iso

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


@dataclass
class Email:
    subject: str
    context: dict
    calendar: bytes | None = None


def _meeting_email(notice: Notice, invitation: Invitation | None, language: str) -> Email:
    meeting = notice.meeting
    if meeting is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no meeting.")
    when = _when(meeting)
    title = meeting.title
    days = notice.payload.get("days_before")
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
    names = {"title": title, "date": when["date"], "group": _group_name(meeting, language)}
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
    links = []
    if invitation is not None and in_place_of is None and wants_answer:
        links = [
            (_("I will attend"), rsvp_url(invitation, Invitation.Response.ACCEPTED)),
            (_("I cannot attend"), rsvp_url(invitation, Invitation.Response.DECLINED)),
            (_("I am sending an alternate"), rsvp_url(invitation, Invitation.Response.ALTERNATE)),
        ]
    context = {
        "kind": notice.kind,
        "intro": intros[notice.kind] % names,
        "meeting": meeting,
        "group_name": names["group"],
        "when": when,
        "days_before": days,
        "links": links,
        "answer": invitation.get_response_display() if invitation and not in_place_of else "",
        "in_place_of": (
            _("You attend in place of %(person)s, who sent you as alternate.")
            % {"person": in_place_of.full_name}
            if in_place_of
            else ""
        ),
        "reason": meeting.cancellation_reason if notice.kind == KIND.CANCELLATION else "",
        "minutes": meeting.minutes.body if notice.kind == KIND.MINUTES else "",
        "agenda": list(meeting.agenda_items.all()) if notice.kind != KIND.MINUTES else [],
    }
    calendar = None
    if invitation is not None and notice.kind != KIND.MINUTES:
        attendee = invitation
        if in_place_of is not None and notice.person is not None:
            # The alternate stands in the calendar as the one attending (not saved).
            attendee = Invitation(
                meeting=meeting, person=notice.person, response=Invitation.Response.ACCEPTED
            )
        calendar = invitation_calendar(
            meeting,
            [attendee],
            language=language,
            reply_to=invitation if attendee is invitation else None,
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
    context = {
        "kind": notice.kind,
        "intro": intro,
        "action_point": action_point,
        "due": due,
        "meeting": action_point.meeting,
        "group_name": _group_name(action_point.meeting, language),
        "when": _when(action_point.meeting),
        "links": [],
    }
    return Email(subject=subject, context=context)


def email_for(notice: Notice, invitation: Invitation | None) -> EmailMultiAlternatives:
    """The message for an e-mail notice, in the recipient's preferred language."""
    person = notice.person
    if person is None:
        raise ValueError(f"Notice {notice.pk} is an e-mail without a recipient.")
    language = person.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        if notice.kind == KIND.ACTION_DUE:
            email = _action_point_email(notice, language)
        else:
            email = _meeting_email(notice, invitation, language)
        context = {
            **email.context,
            "person": person,
            "subject": email.subject,
            "language": language,
            "is_rtl": translation.get_language_bidi(),
            "site_url": settings.SITE_URL,
        }
        text = render_to_string("notices/email.txt", context)
        html = render_to_string("notices/email.html", context)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        # The standard library quotes and encodes the name, so a comma, a quote or an
        # Arabic letter in it cannot split or break the address.
        to=[formataddr((person.full_name, person.email))],
        headers={
            "X-Tansiq-Notice": str(notice.pk),
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    if email.calendar is not None:
        method = "CANCEL" if notice.kind == KIND.CANCELLATION else "REQUEST"
        # Outlook acts on the calendar part inside the alternatives (as calendar servers
        # send it); other programs offer the attached file. Both carry the same event.
        message.attach_alternative(
            email.calendar.decode(), f"text/calendar; method={method}; charset=utf-8"
        )
        message.attach("invite.ics", email.calendar, f"text/calendar; method={method}")
    return message


def webhook_body(notice: Notice) -> bytes:
    body = {
        "id": notice.pk,
        "event": notice.event,
        "occurred_at": utc_iso(notice.created_at),
        "data": notice.payload,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
