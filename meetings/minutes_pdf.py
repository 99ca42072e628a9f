"""Published minutes as a PDF, attached to the mail that announces them: the minutes'
text with its section headings, who signed them off, and the decisions and action
points its reader may see, drawn with meetings.pdf in the active language (shaped,
bidirectional text)."""

from collections.abc import Iterable

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from meetings.minutes_cycle import HEADING_LINE, approval_text
from meetings.models import ActionPoint, Decision, Minutes
from meetings.pack import meeting_when
from meetings.pdf import BODY_BOLD, HEADING, TITLE, Document
from portal.pages import local_name


def minutes_pdf(
    minutes: Minutes, *, decisions: Iterable[Decision], action_points: Iterable[ActionPoint]
) -> bytes:
    """`decisions` and `action_points`: those the reader may see (the caller asks
    meetings.audience), each drawn in the active language where its words exist."""
    meeting = minutes.meeting
    document = Document(title=_("Minutes of %(title)s") % {"title": meeting.title})
    document.paragraph(_("Minutes of %(title)s") % {"title": meeting.title}, TITLE)
    document.paragraph(local_name(meeting.group))
    if meeting.reference:
        document.paragraph(f"{_('Reference')}: {meeting.reference}")
    document.paragraph(f"{_('When')}: {meeting_when(meeting)}")
    approval = approval_text(minutes)
    if approval:
        document.paragraph(approval)
    if minutes.published_at is not None:
        published = formats.date_format(minutes.published_at, "DATE_FORMAT")
        document.paragraph(f"{_('Published')}: {published}")

    document.paragraph(_("Minutes"), HEADING)
    for line in minutes.body.splitlines():
        heading = HEADING_LINE.match(line)
        if heading:
            document.paragraph(heading["heading"], BODY_BOLD)
        elif line.startswith("# "):
            continue
        elif line.strip():
            document.paragraph(line)

    language = get_language() or "en"
    decisions = list(decisions)
    document.paragraph(_("Decisions"), HEADING)
    for decision in decisions:
        if decision.reference:
            # On a line of its own: the text after it keeps its own direction.
            document.paragraph(decision.reference, BODY_BOLD)
        document.paragraph(f"{decision.number}. {decision.text_in(language)}")
    if not decisions:
        document.paragraph(_("No decisions recorded."))

    action_points = list(action_points)
    document.paragraph(_("Action points"), HEADING)
    if action_points:
        document.table(
            [_("Action"), _("Owner organisation"), _("Due on"), _("Status")],
            [
                [
                    point.title,
                    local_name(point.owner_organisation),
                    formats.date_format(point.due_on, "DATE_FORMAT"),
                    point.get_status_display(),
                ]
                for point in action_points
            ],
            [0.36, 0.25, 0.23, 0.16],
        )
    else:
        document.paragraph(_("No action points."))
    return document.output()
