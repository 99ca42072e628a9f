"""The meeting pack as PDF: agenda, attendance, minutes, decisions and action points,
drawn with meetings.pdf (shaped, bidirectional text)."""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from meetings.audience import MeetingRecord, Reader, shown_in_meeting
from meetings.models import ActionPoint, AgendaItem, Decision, Meeting, Minutes
from meetings.pdf import BODY_BOLD, HEADING, TITLE, Document
from meetings.permissions import minutes_audience
from portal.pages import local_name

# Raise this whenever what meeting_pack_pdf draws changes (layout, wording, a field shown
# or left out, a new font): stored packs are kept per version, and the version includes
# this number, so every pack is built anew with the new code.
PACK_LAYOUT_VERSION = 5


@dataclass(frozen=True)
class PackPaper:
    """A paper the pack lists: under its agenda item, or with the meeting's own papers
    when `agenda_item_id` is None. Its words are in the pack's language already."""

    agenda_item_id: int | None
    title: str
    language: str
    version: int


# Who gives the pack its papers: (meeting, audience) -> the papers that audience may
# see, in the active language. The papers live in the documents app, which stands
# above this one and may not be imported from here; it registers its source when the
# apps are ready (documents.apps), as notices' panels reach the meetings' pages.
PackPapersSource = Callable[[Meeting, str], list[PackPaper]]
_papers_sources: list[PackPapersSource] = []


def pack_papers_source_register(source: PackPapersSource) -> None:
    if source not in _papers_sources:
        _papers_sources.append(source)


def pack_papers(meeting: Meeting, audience: str) -> list[PackPaper]:
    """The papers the pack of `meeting` lists for `audience`, in the active language."""
    return [paper for source in _papers_sources for paper in source(meeting, audience)]


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


@dataclass(frozen=True)
class PackContents:
    """The rows of a meeting its pack's audience is shown (meetings.audience): the
    managers' pack has them all; the members' pack, shared by every member whatever
    organisation a label names, no restricted row, and no decision before the minutes
    are published. Whether the reader sees the meeting itself is its funnel's answer."""

    audience: str
    agenda_items: list[AgendaItem]
    minutes: Minutes | None
    decisions: list[Decision]
    action_points: list[ActionPoint]


def pack_contents(
    meeting: Meeting, *, minutes: Minutes | None, audience: str | None = None
) -> PackContents:
    """What the pack of `meeting` shows `audience` (by default, the audience of whoever
    is shown these minutes: meetings.permissions.minutes_audience), from what
    meetings.selectors.meeting_detail has loaded: no query."""
    audience = audience or minutes_audience(minutes)
    reader = Reader.of_pack_audience(audience)

    def shown(records: Iterable[MeetingRecord]) -> list:
        return [record for record in records if shown_in_meeting(reader, record)]

    return PackContents(
        audience=audience,
        agenda_items=shown(meeting.agenda_items.all()),
        minutes=minutes if minutes is None or shown_in_meeting(reader, minutes) else None,
        decisions=shown(meeting.decisions.all()),
        action_points=shown(meeting.action_points.all()),
    )


def meeting_pack_pdf(
    meeting: Meeting, *, minutes: Minutes | None, audience: str | None = None
) -> bytes:
    """`meeting` comes from meetings.selectors.meeting_detail (everything prefetched);
    the pack shows what `audience` may see of it (pack_contents)."""
    contents = pack_contents(meeting, minutes=minutes, audience=audience)
    minutes = contents.minutes
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
    items = contents.agenda_items
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

    _papers_section(document, items, pack_papers(meeting, contents.audience))

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
    decisions = contents.decisions
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
    action_points = contents.action_points
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


def _papers_section(document: Document, items: list, papers: list[PackPaper]) -> None:
    """The papers under the agenda item they are for, then the meeting's other papers."""
    document.paragraph(_("Papers"), HEADING)
    if not papers:
        document.paragraph(_("No papers yet."))
        return
    by_item: dict[int | None, list[PackPaper]] = {}
    for paper in papers:
        by_item.setdefault(paper.agenda_item_id, []).append(paper)
    headings = [(f"{item.position}. {item.title}", by_item.get(item.pk, [])) for item in items]
    headings.append((_("Other papers of the meeting"), by_item.get(None, [])))
    for heading, listed in headings:
        if not listed:
            continue
        document.paragraph(heading, BODY_BOLD)
        document.table(
            [_("Paper"), _("Language"), _("Version")],
            [
                [paper.title, paper.language, formats.number_format(paper.version)]
                for paper in listed
            ],
            [0.64, 0.22, 0.14],
        )


@dataclass(frozen=True)
class PackVersion:
    """What a reader's pack of a meeting contains, as one key: `key` names a stored pack."""

    key: str
    language: str
    audience: str


def meeting_pack_version(
    meeting: Meeting, *, minutes: Minutes | None, language: str, audience: str | None = None
) -> PackVersion:
    """The version of the pack meeting_pack_pdf would draw for these minutes in this
    language: a hash of every value it shows, in that language (names, labels of choices),
    from what meetings.selectors.meeting_detail has loaded, so no query is made but
    the one that reads the papers (pack_papers): adding a paper, or a version of one,
    makes a new pack.

    Values, not `updated_at` stamps: an edit the pack does not show (a meeting's
    description, a progress report) keeps the stored pack. Whatever meeting_pack_pdf
    starts to show must be added here, with PACK_LAYOUT_VERSION raised.
    """
    contents = pack_contents(meeting, minutes=minutes, audience=audience)
    audience, minutes = contents.audience, contents.minutes
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
                for item in contents.agenda_items
            ],
            # Every row's label, shown or not: a label changed is a new pack.
            "labels": [
                [record._meta.model_name, record.pk, record.confidentiality]
                for record in [
                    meeting,
                    *meeting.agenda_items.all(),
                    *([] if minutes is None else [minutes]),
                    *meeting.decisions.all(),
                    *meeting.action_points.all(),
                ]
            ],
            "papers": [
                [paper.agenda_item_id, paper.title, paper.language, paper.version]
                for paper in pack_papers(meeting, audience)
            ],
            "attendance": [
                [local_name(entry.organisation), local_name(entry.person), entry.person.position]
                for entry in meeting.attendance.all()
            ],
            "minutes": None if minutes is None else [minutes.status, minutes.body],
            "decisions": [
                [decision.number, decision.reference, decision.text, decision.quorum_met]
                for decision in contents.decisions
            ],
            "action_points": [
                [
                    action_point.title,
                    local_name(action_point.owner_organisation),
                    action_point.due_on.isoformat(),
                    action_point.status,
                ]
                for action_point in contents.action_points
            ],
        }
    canonical = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return PackVersion(
        key=hashlib.sha256(canonical.encode()).hexdigest(), language=language, audience=audience
    )
