"""What the notices of the minutes' cycle say (notices.content asks here): the draft
circulated for comments, the reminder that the period closes, and the published
minutes' PDF attached to their mail, each in the recipient's language and showing
only what the recipient may see (meetings.audience)."""

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from meetings.audience import Reader, seen_by
from meetings.minutes_pdf import minutes_pdf
from meetings.models import Meeting, Minutes
from notices.models import Notice

KIND = Notice.Kind
CYCLE_KINDS = {KIND.MINUTES_CIRCULATED, KIND.COMMENTS_REMINDER}
PDF = "application/pdf"


def _minutes_of(notice: Notice) -> Minutes:
    meeting = notice.meeting
    if meeting is None:
        raise ValueError(f"Notice {notice.pk} ({notice.kind}) has no meeting.")
    return meeting.minutes


def _comments_until(minutes: Minutes, meeting: Meeting) -> str:
    if minutes.comments_until is None:
        return ""
    until = timezone.localtime(minutes.comments_until, meeting.zone)
    return f"{formats.date_format(until, 'DATETIME_FORMAT')} ({meeting.time_zone})"


def cycle_email(notice: Notice, *, group_name: str) -> tuple[str, dict]:
    """The subject (before the meeting's reference) and what the e-mail says of draft
    minutes circulated for comments, or of the period closing soon; rendered in the
    active language (the recipient's)."""
    minutes = _minutes_of(notice)
    meeting = minutes.meeting
    names = {
        "title": meeting.title,
        "group": group_name,
        "date": _comments_until(minutes, meeting),
    }
    if notice.kind == KIND.MINUTES_CIRCULATED:
        subject = _("Draft minutes for comments until %(date)s: %(title)s") % names
        intro = (
            _(
                "The draft minutes of the meeting of the %(group)s are circulated to the "
                "organisations invited to it. Please read them and comment, section by section, "
                "in the portal until %(date)s."
            )
            % names
        )
    else:
        subject = _("Comments close %(date)s: draft minutes of %(title)s") % names
        intro = (
            _(
                "The comment period on the draft minutes of the meeting of the %(group)s closes "
                "on %(date)s, and your organisation has not commented yet. Comments are taken "
                "in the portal until then."
            )
            % names
        )
    url = settings.SITE_URL.rstrip("/") + reverse("meeting-minutes", args=[meeting.pk])
    context = {
        "kind": notice.kind,
        "intro": intro,
        "portal_link": {"label": _("The draft minutes in the portal"), "url": url},
    }
    return subject, context


def attachments(notice: Notice, language: str) -> list[tuple[str, bytes, str]]:
    """Files the e-mail carries: the published minutes as PDF, in the recipient's
    language, with the decisions and action points they may see."""
    if notice.kind != KIND.MINUTES or notice.meeting is None or notice.person is None:
        return []
    minutes = _minutes_of(notice)
    meeting = minutes.meeting
    reader = Reader.of_person(notice.person)
    with translation.override(language):
        pdf = minutes_pdf(
            minutes,
            decisions=seen_by(reader, meeting.decisions.order_by("number")),
            action_points=seen_by(
                reader, meeting.action_points.select_related("owner_organisation")
            ),
        )
    name = f"minutes-{meeting.pk}-{language}.pdf"
    return [(name, pdf, PDF)]
