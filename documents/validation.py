"""What an upload must be before anything of it is stored.

The type comes from the content (the `filetype` library's signatures, then the
structure of office files), never from the name or the browser's claim: a file named
report.pdf whose content is a web page or a program is refused. The name is kept only
as what a download is called, cleaned of anything that could act as a path, a control
or a misleading extension.
"""

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from portal.text import BIDI_CONTROLS

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
TEXT = "text/plain"
CSV = "text/csv"
MARKDOWN = "text/markdown"

# Each accepted type, with the extension a cleaned name gets and the ones its name may
# already have.
ACCEPTED: dict[str, tuple[str, frozenset[str]]] = {
    PDF: ("pdf", frozenset({"pdf"})),
    DOCX: ("docx", frozenset({"docx"})),
    XLSX: ("xlsx", frozenset({"xlsx"})),
    PPTX: ("pptx", frozenset({"pptx"})),
    ODT: ("odt", frozenset({"odt"})),
    ODS: ("ods", frozenset({"ods"})),
    ODP: ("odp", frozenset({"odp"})),
    DOC: ("doc", frozenset({"doc"})),
    XLS: ("xls", frozenset({"xls"})),
    PPT: ("ppt", frozenset({"ppt"})),
    PNG: ("png", frozenset({"png"})),
    JPEG: ("jpg", frozenset({"jpg", "jpeg", "jpe"})),
    GIF: ("gif", frozenset({"gif"})),
    WEBP: ("webp", frozenset({"webp"})),
    TEXT: ("txt", frozenset({"txt", "text"})),
    CSV: ("csv", frozenset({"csv"})),
    MARKDOWN: ("md", frozenset({"md", "markdown"})),
}
TEXT_TYPES = (TEXT, CSV, MARKDOWN)
OFFICE_ZIP_TYPES = (DOCX, XLSX, PPTX, ODT, ODS, ODP)
LEGACY_OFFICE_TYPES = (DOC, XLS, PPT)
IMAGE_TYPES = (PNG, JPEG, GIF, WEBP)

# Extensions that say what a file is: a name ending in one of them must match the
# content. Any other ending ("Minutes v2.final") is part of the name, and the type's
# own extension is added after it.
_TYPE_EXTENSIONS = frozenset(
    {extension for _, extensions in ACCEPTED.values() for extension in extensions}
    | {matcher.extension for matcher in filetype.types}
    | {
        *("htm", "html", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mjs", "css"),
        *("exe", "dll", "com", "scr", "msi", "bat", "cmd", "ps1", "vbs", "vbe", "wsf", "hta"),
        *("sh", "php", "py", "pl", "rb", "jar", "apk", "app", "lnk", "reg", "iso", "img"),
        *("json", "rtf", "docm", "xlsm", "pptm", "dotx", "dotm", "xltx", "potx", "zip"),
    }
)

# Headers of OLE compound files (Office 97-2003) and the stream each format keeps its
# content in (names in UTF-16, as the container's directory holds them).
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LEGACY_STREAMS = (
    ("WordDocument".encode("utf-16-le"), DOC),
    ("Workbook".encode("utf-16-le"), XLS),
    ("PowerPoint Document".encode("utf-16-le"), PPT),
)
# The part each office format cannot be without.
_OOXML_MAIN_PARTS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
_ODF_TYPES = (ODT, ODS, ODP)
# Text that starts like a web page or an image drawn in XML: served as an attachment
# with nosniff it is harmless, but nobody means to share a paper that way.
_MARKUP_START = re.compile(
    rb"\s*<(!doctype\s+html|html|head|body|script|iframe|svg|\?xml|!--)", re.IGNORECASE
)
_WINDOWS_RESERVED = frozenset('<>:"|?*')
# A download's name in bytes and characters: with the random folder it is stored
# under, well inside a file system's 255-byte limit for one name.
FILE_NAME_MAX_CHARS = 120
FILE_NAME_MAX_BYTES = 230
_HEAD_BYTES = 8192
_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckedUpload:
    """An accepted upload: its cleaned name, the type found in its content, its size
    and its SHA-256."""

    file_name: str
    content_type: str
    size: int
    sha256: str


def _refuse(message: str) -> ValidationError:
    return ValidationError({"upload": message})


def accepted_kinds() -> str:
    return _(
        "Upload a PDF, an office document (Word, Excel, PowerPoint or OpenDocument), "
        "an image (PNG, JPEG, GIF or WebP) or plain text (TXT, CSV or Markdown)."
    )


def upload_check(upload: File | None) -> CheckedUpload:
    """The upload's type, found from its content, and its cleaned name; a
    ValidationError on "upload" with a sentence saying what is wrong otherwise."""
    if upload is None:
        raise _refuse(_("Choose a file to upload."))
    raw_name = str(upload.name or "")
    _name_check(raw_name)
    size = upload.size
    if not size:
        raise _refuse(_("The file is empty."))
    limit = settings.DOCUMENTS_MAX_UPLOAD_BYTES
    if size > limit:
        # The size is not named: of a larger upload only the limit and a byte are kept
        # (documents.uploads), so only "larger" is known.
        raise _refuse(
            _("The file is larger than %(limit)s, the largest file the portal takes.")
            % {"limit": filesizeformat(limit)}
        )
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    content_type = _content_type(upload, head, name_extension=_extension_of(raw_name))
    sha256 = hashlib.sha256()
    for chunk in upload.chunks(_CHUNK_BYTES):
        sha256.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        file_name=file_name_clean(raw_name, content_type=content_type),
        content_type=content_type,
        size=size,
        sha256=sha256.hexdigest(),
    )


def _name_check(raw_name: str) -> None:
    # Django's upload parsers keep only the last part of a name sent with a path; a
    # name that still holds a separator came some other way, and is refused rather
    # than guessed at.
    if "/" in raw_name or "\\" in raw_name or raw_name.strip() in {".", ".."}:
        raise _refuse(
            _("The file's name may not contain / or \\ or be a folder's: rename the file.")
        )
    if "\x00" in raw_name:
        raise _refuse(_("The file's name holds a NUL character: rename the file."))


def _extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.strip().lower() if dot and stem.strip(". ") else ""


def _content_type(upload: File, head: bytes, *, name_extension: str) -> str:
    found = _type_from_content(upload, head)
    if found is None:
        raise _refuse(
            _("This kind of file is not accepted (%(kind)s). %(accepted)s")
            % {"kind": _kind_of(head), "accepted": accepted_kinds()}
        )
    if found in TEXT_TYPES:
        found = _text_type_for(name_extension)
    _extensions_agree(found, name_extension)
    return found


def _type_from_content(upload: File, head: bytes) -> str | None:
    guess = filetype.guess(head)
    mime = guess.mime if guess is not None else None
    if mime == "image/apng":
        return PNG
    if mime in (PDF, *IMAGE_TYPES):
        return mime
    if mime in (*OFFICE_ZIP_TYPES, "application/zip"):
        return _office_type_of_zip(upload)
    if mime in LEGACY_OFFICE_TYPES:
        return mime
    if head.startswith(_COMPOUND_FILE):
        return _legacy_office_type(upload)
    # A few text files start with bytes that some binary signature starts with too
    # ("ID3", "MZ"): text through and through is text, whatever its first bytes.
    return TEXT if _is_plain_text(upload, head) else None


def _office_type_of_zip(upload: File) -> str | None:
    """The office format a ZIP container holds, read from its directory: the main part
    of an Office Open XML file, or the `mimetype` member of an OpenDocument one."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for part, content_type in _OOXML_MAIN_PARTS:
                    if part in names:
                        return content_type
                return None
            if "mimetype" in names and "content.xml" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _legacy_office_type(upload: File) -> str | None:
    """Word, Excel or PowerPoint 97-2003, from the stream names in the container's
    directory (filetype's signatures recognise only some of these files)."""
    found: set[str] = set()
    tail = b""
    for chunk in upload.chunks(_CHUNK_BYTES):
        window = tail + chunk
        for stream, content_type in _LEGACY_STREAMS:
            if stream in window:
                found.add(content_type)
        tail = window[-64:]
    upload.seek(0)
    return found.pop() if len(found) == 1 else None


def _is_plain_text(upload: File, head: bytes) -> bool:
    """UTF-8 through and through (a byte order mark allowed), no NUL, not markup."""
    if _MARKUP_START.match(head.removeprefix(codecs.BOM_UTF8)):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks(_CHUNK_BYTES):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _text_type_for(name_extension: str) -> str:
    # Text has no signature that tells a table from notes: among text types alone the
    # name decides, and each is served as an attachment all the same.
    for content_type in TEXT_TYPES:
        if name_extension in ACCEPTED[content_type][1]:
            return content_type
    return TEXT


def _extensions_agree(content_type: str, name_extension: str) -> None:
    if not name_extension or name_extension not in _TYPE_EXTENSIONS:
        return
    if name_extension in ACCEPTED[content_type][1]:
        return
    raise _refuse(
        _(
            "The file's name ends in .%(extension)s but its content is %(kind)s: "
            "upload the file itself, under its own name."
        )
        % {"extension": name_extension, "kind": kind_label(content_type)}
    )


def kind_label(content_type: str) -> str:
    """What a type is called in a sentence ("a PDF document")."""
    labels = {
        PDF: _("a PDF document"),
        DOCX: _("a Word document"),
        DOC: _("a Word document"),
        ODT: _("an OpenDocument text"),
        XLSX: _("an Excel spreadsheet"),
        XLS: _("an Excel spreadsheet"),
        ODS: _("an OpenDocument spreadsheet"),
        PPTX: _("a PowerPoint presentation"),
        PPT: _("a PowerPoint presentation"),
        ODP: _("an OpenDocument presentation"),
        PNG: _("a PNG image"),
        JPEG: _("a JPEG image"),
        GIF: _("a GIF image"),
        WEBP: _("a WebP image"),
        TEXT: _("plain text"),
        CSV: _("plain text"),
        MARKDOWN: _("plain text"),
    }
    return labels.get(content_type, content_type)


def _kind_of(head: bytes) -> str:
    guess = filetype.guess(head)
    if guess is not None:
        return _("its content is a .%(extension)s file") % {"extension": guess.extension}
    if _MARKUP_START.match(head.removeprefix(codecs.BOM_UTF8)):
        return _("its content is a web page or markup")
    return _("its content is of no kind the portal knows")


def name_part_clean(text: str) -> str:
    """`text` made safe as one part of a name (a file's, a folder's in a ZIP): no
    separators (each becomes a hyphen), no control or direction characters, none that
    Windows refuses, no runs of dots, no dots or spaces at either end. Letters of every
    script, Arabic included, stay."""
    text = unicodedata.normalize("NFC", re.sub(r"[/\\]", "-", text))
    text = "".join(
        " " if character in _WINDOWS_RESERVED or character.isspace() else character
        for character in text
        if character not in BIDI_CONTROLS and unicodedata.category(character) not in {"Cc", "Cs"}
    )
    return re.sub(r"\.{2,}", ".", re.sub(r"\s+", " ", text)).strip(" .")


def file_name_clean(name: str, *, content_type: str) -> str:
    """The name a download of this file is called: the last part of `name`, cleaned
    (name_part_clean), at most FILE_NAME_MAX_CHARS characters (and FILE_NAME_MAX_BYTES
    in UTF-8), ending in an extension of `content_type` (added when it has none)."""
    name = name_part_clean(re.split(r"[/\\]", name)[-1])
    default_extension, extensions = ACCEPTED[content_type]
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.lower() in extensions:
        extension = extension.lower()
    else:
        stem, extension = name, default_extension
    stem = _shortened(stem.strip(" ."), extension) or _("document")
    return f"{stem}.{extension}"


def _shortened(stem: str, extension: str) -> str:
    room_chars = FILE_NAME_MAX_CHARS - len(extension) - 1
    room_bytes = FILE_NAME_MAX_BYTES - len(extension.encode()) - 1
    stem = stem[:room_chars]
    while len(stem.encode()) > room_bytes:
        stem = stem[:-1]
    return stem.rstrip(" .")
