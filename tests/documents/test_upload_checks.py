"""What an upload must be: its type read from its content (never its name or the
browser's claim), a size under the limit, a clean name. A refused upload is a field
error on "upload" and leaves nothing behind: no row, no file."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from documents.models import DocumentVersion
from documents.services import document_create
from documents.uploads import UploadCapHandler
from documents.validation import (
    FILE_NAME_MAX_BYTES,
    FILE_NAME_MAX_CHARS,
    file_name_clean,
    upload_check,
)
from tests.documents.places import papers_state, stored_files
from tests.documents.upload_files import (
    EXE_BYTES,
    GIF_BYTES,
    HTML_BYTES,
    JPEG_BYTES,
    WEBP_BYTES,
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    pptx_bytes,
    raw_upload,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _create(cast, file):
    return document_create(group=cast.mwg, title="Concept note", upload=file, by=cast.secretariat)


HOSTILE = [
    pytest.param(upload("report.pdf", HTML_BYTES), "web page", id="html-named-pdf"),
    pytest.param(upload("report.pdf", EXE_BYTES), ".exe", id="exe-named-pdf"),
    pytest.param(
        upload("report.docx", b"PK\x03\x04" + b"\x00" * 60), "not accepted", id="junk-zip"
    ),
    pytest.param(upload("notes.pdf", b"Just some words.\n"), "plain text", id="text-named-pdf"),
    pytest.param(upload("photo.pdf", png_bytes()), "PNG image", id="png-named-pdf"),
    pytest.param(upload("report.html", pdf_bytes("x")), ".html", id="pdf-named-html"),
    pytest.param(upload("image.svg", b"<svg onload='alert(1)'/>"), "web page", id="svg"),
    pytest.param(upload("empty.pdf", b""), "empty", id="empty"),
    pytest.param(raw_upload("../../etc/passwd.pdf", pdf_bytes("x")), "/ or \\", id="dotdot"),
    pytest.param(raw_upload("a/b\\c.pdf", pdf_bytes("x")), "/ or \\", id="separators"),
    pytest.param(raw_upload("b\\c.pdf", pdf_bytes("x")), "/ or \\", id="backslash"),
    pytest.param(raw_upload("..", pdf_bytes("x")), "/ or \\", id="dotdot-alone"),
]


@pytest.mark.parametrize(("file", "words"), HOSTILE)
def test_hostile_upload_is_refused_on_upload_and_stores_nothing(cast, file, words):
    before = papers_state()

    with pytest.raises(ValidationError) as refused:
        _create(cast, file)

    assert list(refused.value.message_dict) == ["upload"]
    assert words in refused.value.message_dict["upload"][0]
    assert papers_state() == before
    assert stored_files() == []


def test_oversize_upload_is_refused_naming_the_limit_and_stores_nothing(cast, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1000
    before = papers_state()

    with pytest.raises(ValidationError) as refused:
        _create(cast, upload("big.pdf", pdf_bytes("x" * 3000)))

    (message,) = refused.value.message_dict["upload"]
    assert "larger than 1000" in message.replace("\xa0", " ")
    assert papers_state() == before


def test_an_upload_at_the_limit_is_taken(cast, settings):
    content = pdf_bytes("x")
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = len(content)

    document = _create(cast, upload("fits.pdf", content))

    assert document.versions.get().size == len(content)


def test_a_refused_row_takes_its_file_away(cast):
    """The file is stored just before its row; when the row is refused (here its note is
    too long), the file goes too."""
    before = papers_state()

    with pytest.raises(ValidationError) as refused:
        document_create(
            group=cast.mwg,
            title="Paper",
            upload=upload("paper.pdf", pdf_bytes("x")),
            note="n" * 301,
            by=cast.secretariat,
        )

    assert "note" in refused.value.message_dict
    assert papers_state() == before


GOOD = [
    ("note.pdf", pdf_bytes("Returns"), "application/pdf", "note.pdf"),
    (
        "draft.docx",
        docx_bytes("Hello"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "draft.docx",
    ),
    (
        "budget.XLSX",
        xlsx_bytes("Cost"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "budget.xlsx",
    ),
    (
        "slides.pptx",
        pptx_bytes("Slide"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "slides.pptx",
    ),
    ("minutes.odt", odt_bytes("Text"), "application/vnd.oasis.opendocument.text", "minutes.odt"),
    ("map.png", png_bytes(), "image/png", "map.png"),
    ("photo.jpeg", JPEG_BYTES, "image/jpeg", "photo.jpeg"),
    ("anim.gif", GIF_BYTES, "image/gif", "anim.gif"),
    ("pic.webp", WEBP_BYTES, "image/webp", "pic.webp"),
    ("list.csv", "name,count\nأمينة,3\n".encode(), "text/csv", "list.csv"),
    ("readme.md", b"# Notes\n", "text/markdown", "readme.md"),
    ("notes.txt", b"\xef\xbb\xbfplain words\n", "text/plain", "notes.txt"),
    # No extension, or one that says nothing: the type's own is added.
    ("scan", pdf_bytes("x"), "application/pdf", "scan.pdf"),
    ("Minutes v2.final", docx_bytes("x"), None, "Minutes v2.final.docx"),
    ("notes", b"words", "text/plain", "notes.txt"),
]


@pytest.mark.parametrize(("name", "content", "content_type", "file_name"), GOOD)
def test_each_accepted_family_is_stored_with_its_detected_type(
    cast, name, content, content_type, file_name
):
    # The browser's claim is wrong on purpose: it is never read.
    document = _create(cast, upload(name, content, content_type="application/x-whatever"))

    version = document.versions.get()
    if content_type is not None:
        assert version.content_type == content_type
    assert version.file_name == file_name
    assert version.size == len(content)
    assert version.number == 1
    with version.file.open("rb") as stored:
        assert stored.read() == content
    assert stored_files() == [version.file.name]
    assert version.file.name.startswith(f"documents/{document.pk}/{version.storage_key}/")


@pytest.mark.parametrize(
    ("name", "content_type", "cleaned"),
    [
        ("report.pdf", "application/pdf", "report.pdf"),
        ("REPORT.PDF", "application/pdf", "REPORT.pdf"),
        ("تقرير الهجرة.pdf", "application/pdf", "تقرير الهجرة.pdf"),
        ("..hidden.pdf", "application/pdf", "hidden.pdf"),
        (".htaccess", "text/plain", "htaccess.txt"),
        ("a\x00b\x07c\r\n.pdf", "application/pdf", "abc.pdf"),
        ("evil\u202efdp.exe", "text/plain", "evilfdp.exe.txt"),
        ('what: "why"? <no> | *.pdf', "application/pdf", "what why no.pdf"),
        ("many....dots...pdf", "application/pdf", "many.dots.pdf"),
        ("  spaced   out  .pdf ", "application/pdf", "spaced out.pdf"),
        ("", "application/pdf", "document.pdf"),
        ("...", "image/png", "document.png"),
        ("c:\\Users\\me\\paper.pdf", "application/pdf", "paper.pdf"),
    ],
)
def test_file_name_clean(name, content_type, cleaned):
    assert file_name_clean(name, content_type=content_type) == cleaned


def test_long_names_are_shortened_keeping_their_extension():
    latin = file_name_clean("a" * 400 + ".pdf", content_type="application/pdf")
    arabic = file_name_clean("ت" * 400 + ".pdf", content_type="application/pdf")

    assert latin.endswith(".pdf")
    assert len(latin) == FILE_NAME_MAX_CHARS
    assert arabic.endswith(".pdf")
    assert len(arabic.encode()) <= FILE_NAME_MAX_BYTES
    assert set(arabic[:-4]) == {"ت"}


def test_the_check_reports_size_and_digest():
    content = pdf_bytes("digest")

    checked = upload_check(upload("d.pdf", content))

    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_no_file_is_a_field_error():
    with pytest.raises(ValidationError) as refused:
        upload_check(None)

    assert list(refused.value.message_dict) == ["upload"]


def test_text_starting_like_a_program_is_still_text_when_it_is_text(cast):
    document = _create(cast, upload("codes.csv", b"MZ,Mozambique\nID3,unknown\n"))

    assert document.versions.get().content_type == "text/csv"
    assert DocumentVersion.objects.count() == 1


def test_the_upload_handler_passes_on_no_more_than_the_limit_and_a_byte(settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100
    handler = UploadCapHandler()
    passed, start = b"", 0
    for chunk in (b"a" * 60, b"b" * 60, b"c" * 60):
        passed += handler.receive_data_chunk(chunk, start) or b""
        start += len(chunk)

    assert passed == b"a" * 60 + b"b" * 41
    assert handler.file_complete(start) is None
