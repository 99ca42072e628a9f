"""The words of a stored file, for search: a PDF's text, the text nodes of office
documents (Office Open XML and OpenDocument, read with zipfile and xml.etree), plain
text as it is. Images and Office 97-2003 files have no words to read here.

Files are the uploaders' and may be hostile: an office file is a ZIP whose members
are read with a cap on their number and on the bytes they unpack to (a small file
may unpack to gigabytes), its XML is refused if it declares a DTD (the only way to
entity expansion), and the text kept is capped.
"""

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

from pypdf import PdfReader

from documents import validation

# Enough for a long report; search indexes the start of it anyway.
TEXT_MAX_CHARS = 1_000_000
PDF_MAX_PAGES = 2_000
ZIP_MAX_MEMBERS = 10_000
# What the members read may unpack to, all together.
ZIP_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024

WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class TextUnreadable(Exception):
    """The file is damaged, encrypted, or larger inside than the caps allow."""


@dataclass(frozen=True)
class FileText:
    # "done" when words were read, "none" when the file has none to read
    # (DocumentVersion.TextStatus).
    status: str
    text: str = ""


NO_TEXT = FileText(status="none")


def text_of(file: BinaryIO, content_type: str) -> FileText:
    """The words of `file`, whose type documents.validation found; raises
    TextUnreadable (or the parsers' own errors) for a file that cannot be read."""
    if content_type == validation.PDF:
        text = _pdf_text(file)
    elif content_type in (validation.DOCX, validation.PPTX, validation.XLSX):
        text = _office_open_xml_text(file, content_type)
    elif content_type in (validation.ODT, validation.ODS, validation.ODP):
        text = _open_document_text(file)
    elif content_type in validation.TEXT_TYPES:
        raw = file.read(TEXT_MAX_CHARS * 4)
        text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    else:
        return NO_TEXT
    text = text.replace("\x00", "").strip()[:TEXT_MAX_CHARS]
    return FileText(status="done", text=text) if text else NO_TEXT


def _pdf_text(file: BinaryIO) -> str:
    reader = PdfReader(file)
    if reader.is_encrypted and not reader.decrypt(""):
        raise TextUnreadable("The PDF is encrypted.")
    pages: list[str] = []
    length = 0
    for number, page in enumerate(reader.pages):
        if number >= PDF_MAX_PAGES or length >= TEXT_MAX_CHARS:
            break
        words = page.extract_text() or ""
        pages.append(words)
        length += len(words)
    return "\n\n".join(pages)


class _CappedZip:
    """A ZIP read within the caps: members counted, bytes unpacked counted across them."""

    def __init__(self, file: BinaryIO) -> None:
        self.archive = zipfile.ZipFile(file)
        if len(self.archive.infolist()) > ZIP_MAX_MEMBERS:
            raise TextUnreadable("The file holds too many parts.")
        self.names = set(self.archive.namelist())
        self.unpacked = 0

    def read(self, name: str) -> bytes:
        parts: list[bytes] = []
        with self.archive.open(name) as member:
            while chunk := member.read(_CHUNK_BYTES):
                self.unpacked += len(chunk)
                if self.unpacked > ZIP_MAX_UNPACKED_BYTES:
                    raise TextUnreadable("The file unpacks to more than the cap.")
                parts.append(chunk)
        return b"".join(parts)

    def xml(self, name: str) -> ElementTree.Element:
        data = self.read(name)
        if _DTD.search(data):
            raise TextUnreadable("The file's XML declares a DTD.")
        return ElementTree.fromstring(data)  # noqa: S314 - no DTD, so no entities to expand


def _numbered(names: set[str], prefix: str) -> list[str]:
    """Parts like ppt/slides/slide12.xml in their number's order."""
    pattern = re.compile(rf"{re.escape(prefix)}(\d+)\.xml")
    found = [(int(match[1]), name) for name in names if (match := pattern.fullmatch(name))]
    return [name for _, name in sorted(found)]


def _office_open_xml_text(file: BinaryIO, content_type: str) -> str:
    archive = _CappedZip(file)
    if content_type == validation.DOCX:
        parts = ["word/document.xml", "word/footnotes.xml", "word/endnotes.xml"]
        return "\n".join(
            _runs_text(archive.xml(part), text=f"{WORD}t", paragraph=f"{WORD}p")
            for part in parts
            if part in archive.names
        )
    if content_type == validation.PPTX:
        return "\n\n".join(
            _runs_text(archive.xml(part), text=f"{DRAWING}t", paragraph=f"{DRAWING}p")
            for part in _numbered(archive.names, "ppt/slides/slide")
        )
    # A workbook's words are its shared strings, plus those typed inline in a sheet.
    parts = ["xl/sharedStrings.xml", *_numbered(archive.names, "xl/worksheets/sheet")]
    return "\n".join(
        _runs_text(archive.xml(part), text=f"{SHEET}t", paragraph=f"{SHEET}si")
        for part in parts
        if part in archive.names
    )


def _runs_text(root: ElementTree.Element, *, text: str, paragraph: str) -> str:
    """The text nodes' words, a line per paragraph."""
    lines: list[str] = []
    for element in root.iter(paragraph):
        line = "".join(node.text or "" for node in element.iter(text))
        if line.strip():
            lines.append(line)
    if not lines:
        # Inline strings of a sheet sit outside any shared-string paragraph.
        lines = [node.text for node in root.iter(text) if node.text and node.text.strip()]
    return "\n".join(lines)


def _open_document_text(file: BinaryIO) -> str:
    archive = _CappedZip(file)
    if "content.xml" not in archive.names:
        raise TextUnreadable("The OpenDocument file has no content.")
    parts: list[str] = []
    _odf_walk(archive.xml("content.xml"), parts, in_paragraph=False)
    return "".join(parts)


_ODF_PARAGRAPHS = {f"{ODF_TEXT}p", f"{ODF_TEXT}h"}


def _odf_walk(element: ElementTree.Element, parts: list[str], *, in_paragraph: bool) -> None:
    """OpenDocument keeps its words as mixed content of paragraphs and their spans."""
    is_paragraph = element.tag in _ODF_PARAGRAPHS
    inside = in_paragraph or is_paragraph
    if element.tag == f"{ODF_TEXT}s":
        parts.append(" " * min(int(element.get(f"{ODF_TEXT}c", "1") or 1), 100))
    elif element.tag == f"{ODF_TEXT}tab":
        parts.append("\t")
    elif element.tag == f"{ODF_TEXT}line-break":
        parts.append("\n")
    if inside and element.text:
        parts.append(element.text)
    for child in element:
        _odf_walk(child, parts, in_paragraph=inside)
        if inside and child.tail:
            parts.append(child.tail)
    if is_paragraph:
        parts.append("\n")
