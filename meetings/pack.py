"""The meeting pack as PDF: agenda, attendance, minutes, decisions and action points.

Pure Python (ReportLab), so it needs no system libraries. ReportLab neither shapes
Arabic nor lays it out right to left, so each line is shaped (arabic-reshaper joins
the letters into their presentation forms) and reordered (python-bidi) before it is
drawn, in DejaVu Sans, which has the Arabic presentation forms.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from meetings.models import Meeting, Minutes

FONT = "TansiqSans"
FONT_BOLD = "TansiqSans-Bold"
# A4 less the margins; ReportLab's default padding inside table cells.
WIDTH = A4[0] - 36 * mm
CELL_PADDING = 6
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))


def visual(text: str) -> str:
    """Shape and reorder one line for a renderer that draws glyphs left to right.

    Each line takes its direction from its first strong letter, so an English
    decision in an Arabic pack still reads left to right (and the other way round).
    """
    return get_display(arabic_reshaper.reshape(text))


def _wrap(text: str, style: ParagraphStyle, width: float) -> list[str]:
    """Break logical text into lines that fit `width` once shaped.

    Reordering must happen per line, after wrapping: reordering a whole paragraph and
    letting ReportLab wrap it would print an Arabic paragraph's lines bottom to top.
    """
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        current = ""
        for word in raw.split(" "):
            candidate = f"{current} {word}" if current else word
            shaped = arabic_reshaper.reshape(candidate)
            if not current or stringWidth(shaped, style.fontName, style.fontSize) <= width:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def paragraph(text: str, style: ParagraphStyle, *, width: float):
    lines = _wrap(text, style, width)
    markup = "<br/>".join(escape(visual(line)) for line in lines)
    return Paragraph(markup or "&nbsp;", style)


def meeting_pack_pdf(meeting: Meeting, *, minutes: Minutes | None) -> bytes:
    """`meeting` comes from meetings.selectors.meeting_detail (everything prefetched)."""
    _register_fonts()
    rtl = get_language_bidi()
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=10,
        leading=14,
        alignment=TA_RIGHT if rtl else TA_LEFT,
    )
    heading = ParagraphStyle(
        "heading", parent=body, fontName=FONT_BOLD, fontSize=13, leading=18, spaceBefore=8
    )
    title = ParagraphStyle("title", parent=heading, fontSize=16, leading=22)
    body_bold = ParagraphStyle("body_bold", parent=body, fontName=FONT_BOLD)

    def line(text: str, style: ParagraphStyle = body, width: float = WIDTH) -> Paragraph:
        # A little slack: ReportLab must never need to wrap a line again.
        return paragraph(text, style, width=width * 0.97)

    def table(header: list[str], rows: list[list[str]], shares: list[float]) -> Table:
        widths = [share * WIDTH for share in shares]
        if rtl:
            header, rows, widths = header[::-1], [row[::-1] for row in rows], widths[::-1]
        inner = [width - 2 * CELL_PADDING for width in widths]
        data = [[line(cell, body_bold, inner[i]) for i, cell in enumerate(header)]]
        data += [[line(cell, body, inner[i]) for i, cell in enumerate(row)] for row in rows]
        grid = Table(data, colWidths=widths, repeatRows=1, hAlign="RIGHT" if rtl else "LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return grid

    zone = meeting.zone
    start = timezone.localtime(meeting.start_at, zone)
    end = timezone.localtime(meeting.end_at, zone)
    when = "{} {}–{} ({})".format(
        formats.date_format(start, "DATE_FORMAT"),
        formats.time_format(start, "TIME_FORMAT"),
        formats.time_format(end, "TIME_FORMAT"),
        meeting.time_zone,
    )
    story: list[Flowable] = [
        line(meeting.title, title),
        line(meeting.group.name),
        line(f"{_('When')}: {when}"),
    ]
    if meeting.venue:
        story.append(line(f"{_('Venue')}: {meeting.venue}"))
    story.append(line(f"{_('Status')}: {meeting.get_status_display()}"))

    story.append(line(_("Agenda"), heading))
    items = list(meeting.agenda_items.all())
    if items:
        story.append(
            table(
                ["#", _("Agenda item"), _("Presenter"), _("Duration (minutes)")],
                [
                    [
                        str(item.position),
                        item.title,
                        item.presenter.full_name if item.presenter else "",
                        formats.number_format(item.duration_minutes),
                    ]
                    for item in items
                ],
                [0.07, 0.5, 0.25, 0.18],
            )
        )
    else:
        story.append(line(_("No agenda items yet.")))

    story.append(line(_("Attendance"), heading))
    present = list(meeting.attendance.all())
    if present:
        story.append(
            table(
                [_("Organisation"), _("Name"), _("Position")],
                [
                    [str(entry.organisation or ""), entry.person.full_name, entry.person.position]
                    for entry in present
                ],
                [0.4, 0.3, 0.3],
            )
        )
    else:
        story.append(line(_("Nobody is in the register yet.")))

    story.append(line(_("Minutes"), heading))
    if minutes is not None:
        story.append(line(f"{_('Status')}: {minutes.get_status_display()}"))
        story.append(line(minutes.body))
    else:
        story.append(line(_("No minutes yet.")))

    story.append(line(_("Decisions"), heading))
    decisions = list(meeting.decisions.all())
    for decision in decisions:
        story.append(line(f"{decision.number}. {decision.text}"))
    if not decisions:
        story.append(line(_("No decisions recorded.")))

    story.append(line(_("Action points"), heading))
    action_points = list(meeting.action_points.all())
    if action_points:
        story.append(
            table(
                [_("Action"), _("Owner organisation"), _("Due on"), _("Status")],
                [
                    [
                        action_point.title,
                        str(action_point.owner_organisation),
                        formats.date_format(action_point.due_on, "SHORT_DATE_FORMAT"),
                        action_point.get_status_display(),
                    ]
                    for action_point in action_points
                ],
                [0.42, 0.28, 0.15, 0.15],
            )
        )
    else:
        story.append(line(_("No action points.")))
    story.append(Spacer(1, 6 * mm))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=meeting.title,
        author="Tansiq",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    document.build(story)
    return buffer.getvalue()
