"""A version's words are read for search after its upload, by a task that takes its id:
PDF, office files and plain text give text, images none; a damaged or hostile file is
recorded as unreadable, and the task never fails for it."""

import io
import zipfile

import pytest

from documents import text
from documents.models import DocumentVersion
from documents.services import document_create, document_version_add
from documents.tasks import document_text_extract_task
from documents.validation import DOCX, ODT, PDF, XLSX
from search.models import SearchEntry
from tests.documents.upload_files import (
    docx_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    pptx_bytes,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _version(cast, name: str, content: bytes) -> DocumentVersion:
    """A version still "being read": its task has not run (no commit in a test)."""
    document = document_create(
        group=cast.mwg, title="Paper", upload=upload(name, content), by=cast.secretariat
    )
    return document.versions.get()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "a.pdf",
            pdf_bytes("Returns and reintegration", "Second page words"),
            ["Returns and reintegration", "Second page words"],
        ),
        (
            "a.docx",
            docx_bytes("Concept note", "Border management"),
            ["Concept note\nBorder management"],
        ),
        ("a.xlsx", xlsx_bytes("Cost of transport", "Shelter"), ["Cost of transport", "Shelter"]),
        ("a.pptx", pptx_bytes("First slide", "Second slide"), ["First slide\n\nSecond slide"]),
        ("a.odt", odt_bytes("Terms of reference", "Annex"), ["Terms of reference\nAnnex"]),
        ("a.txt", "Plain words, كلمات عربية\n".encode(), ["Plain words, كلمات عربية"]),
    ],
)
def test_the_task_reads_the_words_of_each_family(cast, name, content, words):
    version = _version(cast, name, content)
    assert version.text_status == "pending"

    status = document_text_extract_task(version.pk)

    version.refresh_from_db()
    assert status == version.text_status == "done"
    for expected in words:
        assert expected in version.text


def test_an_image_has_no_text(cast):
    version = _version(cast, "map.png", png_bytes())

    assert document_text_extract_task(version.pk) == "none"

    version.refresh_from_db()
    assert version.text == ""


def test_the_task_is_safe_to_run_twice_and_for_a_version_gone(cast):
    version = _version(cast, "a.pdf", pdf_bytes("Once"))

    document_text_extract_task(version.pk)
    DocumentVersion.objects.filter(pk=version.pk).update(text="kept")
    again = document_text_extract_task(version.pk)

    version.refresh_from_db()
    assert again == "done"
    assert version.text == "kept"
    assert document_text_extract_task(version.pk + 1000) is None


def test_a_damaged_file_is_recorded_as_unreadable_without_raising(cast):
    version = _version(cast, "a.pdf", pdf_bytes("fine"))
    with version.file.open("wb") as stored:
        stored.write(b"%PDF-1.7\n this is not a PDF any more")

    assert document_text_extract_task(version.pk) == "failed"

    version.refresh_from_db()
    assert version.text == ""


def test_a_lost_file_is_recorded_as_unreadable(cast):
    version = _version(cast, "a.pdf", pdf_bytes("fine"))
    version.file.storage.delete(version.file.name)

    assert document_text_extract_task(version.pk) == "failed"


def _zip(members) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_a_zip_bomb_is_stopped_at_the_cap(monkeypatch):
    monkeypatch.setattr(text, "ZIP_MAX_UNPACKED_BYTES", 1024 * 1024)
    body = "<w:t>" + "a" * (4 * 1024 * 1024) + "</w:t>"
    bomb = _zip([("[Content_Types].xml", "<Types/>"), ("word/document.xml", body)])
    assert len(bomb.getvalue()) < 64 * 1024

    with pytest.raises(text.TextUnreadable):
        text.text_of(bomb, DOCX)


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(text, "ZIP_MAX_MEMBERS", 10)
    many = _zip([(f"xl/part{n}.xml", "<x/>") for n in range(11)])

    with pytest.raises(text.TextUnreadable):
        text.text_of(many, XLSX)


def test_xml_with_entities_is_not_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
        "&lol2;</office:document-content>"
    )
    bomb = _zip([("mimetype", ODT), ("content.xml", laughs)])

    with pytest.raises(text.TextUnreadable):
        text.text_of(bomb, ODT)


def test_a_pdf_keeps_at_most_the_cap(monkeypatch):
    monkeypatch.setattr(text, "TEXT_MAX_CHARS", 50)

    found = text.text_of(io.BytesIO(pdf_bytes("word " * 100)), PDF)

    assert found.status == "done"
    assert len(found.text) == 50


def test_a_new_version_is_read_on_its_own(cast, django_capture_on_commit_callbacks):
    first = _version(cast, "a.pdf", pdf_bytes("first words"))
    with django_capture_on_commit_callbacks(execute=True):
        second = document_version_add(
            document=first.document, upload=upload("b.pdf", pdf_bytes("second words")), by=None
        )

    second.refresh_from_db()
    first.refresh_from_db()
    assert "second words" in second.text
    assert first.text_status == "pending"


def test_the_words_read_reach_the_search_index(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_create(
            group=cast.mwg,
            title="Paper",
            upload=upload("a.docx", docx_bytes("Seasonal labour corridors")),
            by=cast.secretariat,
        )

    entry = SearchEntry.objects.get(kind="document", object_id=document.pk)
    assert "Seasonal labour corridors" in entry.text
