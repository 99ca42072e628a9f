"""The meeting pack as PDF: agenda, attendance, minutes, decisions and action points,
drawn with meetings.pdf (shaped, bidirectional text)."""

import hashlib
import json
from dataclasses import dataclass

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from meetings.models import Meeting, Minutes
from meetings.pdf import BODY_BOLD, HEADING, TITLE, Document
from meetings.permissions import minutes_audience
from portal.pages import local_name

# Raise this whenever what meeting_pack_pdf draws changes (layout, wording, a field shown
# or left out, a new font): stored packs are kept per version, and the version includes
# this number, so every pack is built anew with the new code.
PACK_LAYOUT_VERSION = 3


def meeting_when(meeting: Meeting) -> str:
    """The day and times of a meeting in its own zone, in the active language's formats."""
    start = timezone.localtime(meeting.start_at, meeting.zone)
    end = timezone.localtime(meeting.end_at, meeting.zone)
    return "{} {}–{} ({})".format(
        formats.date_format(start, "DATE_FORMAT"),
        formats.time_format(start, "TIME_FORMAT"),
        formats.time_format(end, "TIME_FORMAT"),
        meeting.time_zone,
    )


def meeting_pack_pdf(meeting: Meeting, *, minutes: Minutes | None) -> bytes:
    """`meeting` comes from meetings.selectors.meeting_detail (everything prefetched)."""
    document = Document(title=meeting.title)
    when = meeting_when(meeting)
    document.paragraph(meeting.title, TITLE)
    document.paragraph(local_name(meeting.group))
    if meeting.reference:
        document.paragraph(f"{_('Reference')}: {meeting.reference}")
    document.paragraph(f"{_('When')}: {when}")
    if meeting.venue:
        document.paragraph(f"{_('Venue')}: {meeting.venue}")
    document.paragraph(f"{_('Status')}: {meeting.get_status_display()}")

    document.paragraph(_("Agenda"), HEADING)
    items = list(meeting.agenda_items.all())
    if items:
        document.table(
            ["#", _("Agenda item"), _("Presenter"), _("Duration (minutes)")],
            [
                [
                    str(item.position),
                    item.title,
                    local_name(item.presenter),
                    formats.number_format(item.duration_minutes),
                ]
                for item in items
            ],
            [0.06, 0.45, 0.24, 0.25],
        )
    else:
        document.paragraph(_("No agenda items yet."))

    document.paragraph(_("Attendance"), HEADING)
    present = list(meeting.attendance.all())
    if present:
        document.table(
            [_("Organisation"), _("Name"), _("Position")],
            [
                [local_name(entry.organisation), local_name(entry.person), entry.person.position]
                for entry in present
            ],
            [0.4, 0.3, 0.3],
        )
    else:
        document.paragraph(_("Nobody is in the register yet."))

    document.paragraph(_("Minutes"), HEADING)
    if minutes is not None:
        document.paragraph(f"{_('Status')}: {minutes.get_status_display()}")
        document.paragraph(minutes.body)
    else:
        document.paragraph(_("No minutes yet."))

    document.paragraph(_("Decisions"), HEADING)
    decisions = list(meeting.decisions.all())
    for decision in decisions:
        if decision.reference:
            # On a line of its own: the text after it keeps its own direction.
            document.paragraph(decision.reference, BODY_BOLD)
        document.paragraph(f"{decision.number}. {decision.text}")
        if decision.quorum_met is False:
            document.paragraph(_("Recorded without quorum"), BODY_BOLD)
    if not decisions:
        document.paragraph(_("No decisions recorded."))

    document.paragraph(_("Action points"), HEADING)
    action_points = list(meeting.action_points.all())
    if action_points:
        document.table(
            [_("Action"), _("Owner organisation"), _("Due on"), _("Status")],
            [
                [
                    action_point.title,
                    local_name(action_point.owner_organisation),
                    # The meeting's own date format: one per language, on every page.
                    formats.date_format(action_point.due_on, "DATE_FORMAT"),
                    action_point.get_status_display(),
                ]
                for action_point in action_points
            ],
            [0.36, 0.25, 0.23, 0.16],
        )
    else:
        document.paragraph(_("No action points."))
    return document.output()


@dataclass(frozen=True)
class PackVersion:
    """What a reader's pack of a meeting contains, as one key: `key` names a stored pack."""

    key: str
    language: str
    audience: str


def meeting_pack_version(
    meeting: Meeting, *, minutes: Minutes | None, language: str
) -> PackVersion:
    """The version of the pack meeting_pack_pdf would draw for these minutes in this
    language: a hash of every value it shows, in that language (names, labels of choices),
    from what meetings.selectors.meeting_detail has loaded, so no query is made.

    Values, not `updated_at` stamps: an edit the pack does not show (a meeting's
    description, a progress report) keeps the stored pack. Whatever meeting_pack_pdf
    starts to show must be added here, with PACK_LAYOUT_VERSION raised.
    """
    audience = minutes_audience(minutes)
    with translation.override(language):
        shown = {
            "layout": PACK_LAYOUT_VERSION,
            "language": language,
            "audience": audience,
            "meeting": [
                meeting.pk,
                meeting.reference,
                meeting.title,
                local_name(meeting.group),
                meeting.start_at.isoformat(),
                meeting.end_at.isoformat(),
                meeting.time_zone,
                meeting.venue,
                meeting.status,
            ],
            "agenda": [
                [item.position, item.title, local_name(item.presenter), item.duration_minutes]
                for item in meeting.agenda_items.all()
            ],
            "attendance": [
                [local_name(entry.organisation), local_name(entry.person), entry.person.position]
                for entry in meeting.attendance.all()
            ],
            "minutes": None if minutes is None else [minutes.status, minutes.body],
            "decisions": [
                [decision.number, decision.reference, decision.text, decision.quorum_met]
                for decision in meeting.decisions.all()
            ],
            "action_points": [
                [
                    action_point.title,
                    local_name(action_point.owner_organisation),
                    action_point.due_on.isoformat(),
                    action_point.status,
                ]
                for action_point in meeting.action_points.all()
            ],
        }
    canonical = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return PackVersion(
        key=hashlib.sha256(canonical.encode()).hexdigest(), language=language, audience=audience
    )
