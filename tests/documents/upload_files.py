"""Real small files of each accepted family, and hostile ones, built in the tests: PDFs
drawn with fpdf2, office files zipped with their XML, images from their bytes."""

import datetime as dt
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"


def pdf_bytes(*pages: str) -> bytes:
    pdf = FPDF()
    # The same text makes the same bytes, so a download can be compared with its upload.
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    pdf.set_font("helvetica", size=12)
    for text in pages or ("A paper.",):
        pdf.add_page()
        pdf.multi_cell(w=0, text=text)
    return bytes(pdf.output())


def _content_types(main_part: str, main_type: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )


def _rels(main_part: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{main_part}"/></Relationships>'
    )


def _zip(members: list[tuple[str, str | bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(members):
            compress = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            # A fixed time, so the same content makes the same bytes in any minute.
            member = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(member, content, compress_type=compress)
    return buffer.getvalue()


def docx_bytes(*paragraphs: str) -> bytes:
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>' for text in paragraphs
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    return _zip(
        [
            ("[Content_Types].xml", _content_types("word/document.xml", OOXML_TYPES["docx"])),
            ("_rels/.rels", _rels("word/document.xml")),
            ("word/document.xml", document),
        ]
    )


def xlsx_bytes(*cells: str) -> bytes:
    shared = "".join(f"<si><t>{text}</t></si>" for text in cells)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 1}</v></c></row>' for n in range(1, len(cells) + 1)
    )
    return _zip(
        [
            ("[Content_Types].xml", _content_types("xl/workbook.xml", OOXML_TYPES["xlsx"])),
            ("_rels/.rels", _rels("xl/workbook.xml")),
            (
                "xl/workbook.xml",
                f'<workbook xmlns="{S}"><sheets><sheet name="One" sheetId="1"/></sheets>'
                "</workbook>",
            ),
            (
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{S}"><sheetData>{rows}</sheetData></worksheet>',
            ),
            ("xl/sharedStrings.xml", f'<sst xmlns="{S}" count="{len(cells)}">{shared}</sst>'),
        ]
    )


def pptx_bytes(*slides: str) -> bytes:
    members: list[tuple[str, str | bytes]] = [
        ("[Content_Types].xml", _content_types("ppt/presentation.xml", OOXML_TYPES["pptx"])),
        ("_rels/.rels", _rels("ppt/presentation.xml")),
        ("ppt/presentation.xml", f'<p:presentation xmlns:p="{P}"/>'),
    ]
    for number, text in enumerate(slides, start=1):
        members.append(
            (
                f"ppt/slides/slide{number}.xml",
                f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree><p:sp><p:txBody>'
                f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree>"
                "</p:cSld></p:sld>",
            )
        )
    return _zip(members)


def odt_bytes(*paragraphs: str) -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{text}</text:p>" for text in paragraphs)
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:text="{text_ns}"><office:body><office:text>{body}</office:text></office:body>'
        "</office:document-content>"
    )
    return _zip(
        [
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", content),
            ("META-INF/manifest.xml", "<manifest/>"),
        ],
        stored_first=True,
    )


def png_bytes() -> bytes:
    """A one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
GIF_BYTES = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00" + b"\x00" * 32
)
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 40
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """An upload as the browser sends it: its name and claimed type are the sender's."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def raw_upload(name: str, content: bytes) -> SimpleUploadedFile:
    """An upload whose name reaches the service as the client wrote it: Django's own
    parsers keep only its last part, but a caller of the service may not have."""
    file = upload("placeholder.pdf", content)
    file._name = name
    return file
