"""A4 documents with shaped, bidirectional text: the meeting pack (meetings.pack) and
the sign-in sheet (meetings.sign_in_sheet) are drawn with `Document`.

fpdf2 shapes the text with HarfBuzz and maps every glyph back to the letters it was
shaped from, so the PDF's text is the original Arabic letters (never presentation
forms) and copying or searching it finds what was typed.

Text extractors read a page in the order its text is written (pypdf, for one), or
rebuild the order from the positions (poppler's pdftotext). Those that follow the
stream reverse each right-to-left run they meet, keep the runs in the order met, and
cannot tell which run a bracket or space at a run's edge belongs to. So each
line is cut into pieces: right-to-left words, left-to-right runs, and the spaces and
punctuation around them, one character each. The pieces are placed in visual order
(the Unicode bidirectional algorithm, fpdf2's) and written in reading order, each in a
text object of its own: every piece is then read back as it was written, whatever the
extractor does with runs, and the page looks the same either way.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language, get_language_bidi
from fpdf import FPDF
from fpdf.bidi import BidiParagraph
from fpdf.enums import TextDirection

FONT = "TansiqSans"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
# Lengths in points, the PDF's own unit.
MM = 72 / 25.4
MARGIN_X = 18 * MM
MARGIN_Y = 16 * MM
CELL_PADDING = 6
GRID_WIDTH = 0.4
GRID_GREY = (128, 128, 128)
HEADER_FILL = (0xE8, 0xED, 0xF1)

RIGHT_TO_LEFT = {"R", "AL"}
# Marks and joiners shape with the letters around them, so they stay in their word.
INSIDE_RIGHT_TO_LEFT_WORD = RIGHT_TO_LEFT | {"NSM", "BN"}
STARTS_LEFT_TO_RIGHT_RUN = {"L", "EN"}
# Arabic-Indic digits read as neither direction to some extractors, so each stands alone.
ENDS_LEFT_TO_RIGHT_RUN = RIGHT_TO_LEFT | {"AN"}


@dataclass(frozen=True)
class Style:
    size: float
    leading: float
    bold: bool = False
    space_before: float = 0


BODY = Style(size=10, leading=14)
BODY_BOLD = Style(size=10, leading=14, bold=True)
HEADING = Style(size=13, leading=18, bold=True, space_before=8)
TITLE = Style(size=16, leading=22, bold=True, space_before=8)


@dataclass
class Piece:
    text: str
    level: int
    width: float = 0
    x: float = 0

    @property
    def direction(self) -> TextDirection:
        return TextDirection.RTL if self.level % 2 else TextDirection.LTR


def _base_direction(text: str, default: TextDirection) -> TextDirection:
    """A paragraph reads in the direction of its first strong letter, so an English
    decision in an Arabic pack still reads left to right (and the other way round)."""
    for letter in text:
        kind = unicodedata.bidirectional(letter)
        if kind == "L":
            return TextDirection.LTR
        if kind in RIGHT_TO_LEFT:
            return TextDirection.RTL
    return default


def _pieces(text: str, base: TextDirection) -> list[Piece]:
    """One line's pieces in reading order, each with its bidirectional level.

    A piece drawn right to left is one word: its letters, with their marks and joiners;
    a left-to-right run starts with a letter or digit; anything else stands alone.
    """
    pieces: list[Piece] = []
    current: Piece | None = None
    characters = BidiParagraph(text=text, base_direction=base, preserve_bn_chars=True)
    for character in characters.get_characters():
        letter, level = character.character, character.embedding_level
        kind = unicodedata.bidirectional(letter)
        if current is not None and current.level == level:
            if level % 2:
                continues = kind in INSIDE_RIGHT_TO_LEFT_WORD
            else:
                continues = kind not in ENDS_LEFT_TO_RIGHT_RUN
            if continues:
                current.text += letter
                continue
        piece = Piece(letter, level)
        pieces.append(piece)
        starts = kind in (RIGHT_TO_LEFT if level % 2 else STARTS_LEFT_TO_RIGHT_RUN)
        current = piece if starts else None
    return pieces


def _visual_order(pieces: Sequence[Piece]) -> list[Piece]:
    """Rule L2 of the bidirectional algorithm: from the highest level down to the
    lowest odd one, reverse every sequence of pieces at that level or above."""
    order = list(pieces)
    highest = max(piece.level for piece in order)
    lowest_odd = min((piece.level for piece in order if piece.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        start = 0
        while start < len(order):
            if order[start].level < level:
                start += 1
                continue
            end = start
            while end < len(order) and order[end].level >= level:
                end += 1
            order[start:end] = order[start:end][::-1]
            start = end
    return order


class Document:
    """An A4 document written top to bottom, right-aligned and mirrored for a
    right-to-left language."""

    def __init__(self, *, title: str) -> None:
        self.rtl = get_language_bidi()
        self.direction = TextDirection.RTL if self.rtl else TextDirection.LTR
        pdf = FPDF(unit="pt", format="A4")
        pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        pdf.set_title(title)
        pdf.set_author("Tansiq")
        pdf.set_lang(get_language() or settings.LANGUAGE_CODE)
        pdf.set_margins(MARGIN_X, MARGIN_Y, MARGIN_X)
        # Pages are broken here, between lines and table rows, never inside a cell.
        pdf.set_auto_page_break(False)
        # Pieces are placed exactly; a cell's own margin would push them apart.
        pdf.c_margin = 0
        pdf.set_draw_color(*GRID_GREY)
        pdf.set_line_width(GRID_WIDTH)
        pdf.add_page()
        self.pdf = pdf
        self.left = MARGIN_X
        self.right = pdf.w - MARGIN_X
        self.y = MARGIN_Y
        self._widths: dict[tuple[str, bool, float, TextDirection | None], float] = {}

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    def _use(self, style: Style, direction: TextDirection | None = None) -> None:
        self.pdf.set_font(FONT, "B" if style.bold else "", style.size)
        self.pdf.set_text_shaping(use_shaping_engine=True, direction=direction)

    def _width(self, text: str, style: Style, direction: TextDirection | None = None) -> float:
        key = (text, style.bold, style.size, direction)
        if key not in self._widths:
            self._use(style, direction)
            self._widths[key] = self.pdf.get_string_width(text)
        return self._widths[key]

    def _page_break_if_needed(self, height: float) -> None:
        if self.y + height > self.pdf.h - MARGIN_Y and self.y > MARGIN_Y:
            self.pdf.add_page()
            self.y = MARGIN_Y

    def wrap(self, text: str, style: Style, width: float) -> list[str]:
        """Break text into lines that fit `width`, at spaces (and inside a word only
        when the word alone is wider than the line)."""
        lines: list[str] = []
        space = self._width(" ", style)
        for raw in text.splitlines() or [""]:
            current, current_width = "", 0.0
            for word in raw.split(" "):
                word_width = self._width(word, style)
                if current and current_width + space + word_width <= width:
                    current, current_width = f"{current} {word}", current_width + space + word_width
                    continue
                if current:
                    lines.append(current)
                while word_width > width and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and self._width(word[:cut], style) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self._width(word, style)
                current, current_width = word, word_width
            lines.append(current)
        return lines

    def draw_line(
        self,
        text: str,
        style: Style,
        *,
        left: float,
        right: float,
        base: TextDirection,
        separated: bool = False,
    ) -> None:
        """With `separated`, a space follows the line in reading order (outside the
        alignment), so that the text of a table's cells, written one after the other,
        reads as separate words."""
        text = text.strip()
        if not text:
            return
        pieces = _pieces(text, base)
        for piece in pieces:
            piece.width = self._width(piece.text, style, piece.direction)
        total = sum(piece.width for piece in pieces)
        x = right - total if self.rtl else left
        for piece in _visual_order(pieces):
            piece.x = x
            x += piece.width
        if separated:
            level = 1 if base == TextDirection.RTL else 0
            space = Piece(" ", level, self._width(" ", style))
            space.x = min(piece.x for piece in pieces) - space.width if level else x
            pieces.append(space)
        # Each piece is a cell, and so a text object of its own, written in reading order.
        for piece in pieces:
            self._use(style, piece.direction)
            self.pdf.set_xy(piece.x, self.y)
            self.pdf.cell(w=piece.width, h=style.leading, text=piece.text)

    def paragraph(self, text: str, style: Style = BODY) -> None:
        base = _base_direction(text, self.direction)
        if style.space_before:
            # A heading keeps at least two lines of what follows it on its page.
            self._page_break_if_needed(style.space_before + style.leading + 2 * BODY.leading)
            if self.y > MARGIN_Y:
                self.y += style.space_before
        for line in self.wrap(text, style, self.right - self.left):
            self._page_break_if_needed(style.leading)
            self.draw_line(line, style, left=self.left, right=self.right, base=base)
            self.y += style.leading

    def table(
        self,
        header: list[str],
        rows: list[list[str]],
        shares: list[float],
        *,
        row_height: float = 0,
    ) -> None:
        """A grid with a shaded header row, repeated on each page it runs onto; the
        first column is on the right in a right-to-left document. Body rows are at
        least `row_height` tall (room to sign on a sign-in sheet)."""
        widths = [share * (self.right - self.left) for share in shares]
        edges: list[tuple[float, float]] = []
        offset = 0.0
        for width in widths:
            if self.rtl:
                edges.append((self.right - offset - width, self.right - offset))
            else:
                edges.append((self.left + offset, self.left + offset + width))
            offset += width
        self._page_break_if_needed(2 * (BODY.leading + 2 * CELL_PADDING))
        self._row(header, edges, BODY_BOLD, shaded=True)
        for row in rows:
            if self._row(row, edges, BODY, shaded=False, fits_only=True, height=row_height):
                continue
            self.pdf.add_page()
            self.y = MARGIN_Y
            self._row(header, edges, BODY_BOLD, shaded=True)
            self._row(row, edges, BODY, shaded=False, height=row_height)

    def _row(
        self,
        cells: list[str],
        edges: list[tuple[float, float]],
        style: Style,
        *,
        shaded: bool,
        fits_only: bool = False,
        height: float = 0,
    ) -> bool:
        """Draw one row; with `fits_only`, only if it fits on this page (a row taller
        than a whole page is drawn anyway, and runs off it)."""
        wrapped = [
            self.wrap(cell, style, right - left - 2 * CELL_PADDING)
            for cell, (left, right) in zip(cells, edges, strict=True)
        ]
        height = max(
            height, max(len(lines) for lines in wrapped) * style.leading + 2 * CELL_PADDING
        )
        too_tall = self.y + height > self.pdf.h - MARGIN_Y
        if fits_only and too_tall and self.y > MARGIN_Y:
            return False
        top = self.y
        for (left, right), cell, lines in zip(edges, cells, wrapped, strict=True):
            if shaded:
                self.pdf.set_fill_color(*HEADER_FILL)
            self.pdf.rect(left, top, right - left, height, style="DF" if shaded else "D")
            base = _base_direction(cell, self.direction)
            self.y = top + CELL_PADDING
            for number, line in enumerate(lines, start=1):
                self.draw_line(
                    line,
                    style,
                    left=left + CELL_PADDING,
                    right=right - CELL_PADDING,
                    base=base,
                    separated=number == len(lines),
                )
                self.y += style.leading
        self.y = top + height
        return True
