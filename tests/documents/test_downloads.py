"""What a download looks like: an attachment under the cleaned name (RFC 5987 for an
Arabic one), the type found at upload, nosniff, never cached; a ZIP of a meeting's
papers with a folder per agenda item and names made unique."""

import email.message
import email.policy
import hashlib
import io
import zipfile
from urllib.parse import unquote

import pytest
from django.urls import reverse

from documents.services import document_create, document_version_add
from groups.services import group_update
from tests.documents.places import item, scheduled_meeting
from tests.documents.upload_files import docx_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def _disposition(response) -> tuple[str, str]:
    """The disposition and the file name, as a mail or HTTP client reads them."""
    header = email.message.EmailMessage(policy=email.policy.HTTP)
    header["Content-Disposition"] = response["Content-Disposition"]
    return header.get_content_disposition(), header.get_filename()


def _download(client, version):
    return client.get(reverse("documents:version_download", args=[version.pk]))


def test_a_download_is_a_private_attachment_of_the_detected_type(cast, client):
    # The browser claimed HTML; the content is a PNG.
    document = document_create(
        group=cast.mwg,
        title="Map",
        upload=upload("map.png", png_bytes(), content_type="text/html"),
        by=cast.secretariat,
    )
    client.force_login(cast.member)

    response = _download(client, document.versions.get())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert _disposition(response) == ("attachment", "map.png")
    assert response["X-Content-Type-Options"] == "nosniff"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert int(response["Content-Length"]) == len(png_bytes())
    assert _streamed(response) == png_bytes()


def test_an_arabic_name_is_sent_with_rfc_5987(cast, client):
    name = "تقرير الهجرة 2026.pdf"
    document = document_create(
        group=cast.mwg, title="Report", upload=upload(name, pdf_bytes("x")), by=None
    )
    client.force_login(cast.member)

    response = _download(client, document.versions.get())

    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''")
    assert unquote(header.split("''", 1)[1]) == name
    assert _disposition(response) == ("attachment", name)


def test_a_name_with_quotes_cannot_break_the_header(cast, client):
    document = document_create(
        group=cast.mwg,
        title="Report",
        upload=upload("a'b;c=d.pdf", pdf_bytes("x")),
        by=None,
    )
    client.force_login(cast.member)

    response = _download(client, document.versions.get())

    assert _disposition(response) == ("attachment", "a'b;c=d.pdf")


def test_text_is_served_as_utf8_text_attachment(cast, client):
    document = document_create(
        group=cast.mwg, title="Notes", upload=upload("notes.txt", "كلمات".encode()), by=None
    )
    client.force_login(cast.member)

    response = _download(client, document.versions.get())

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert _disposition(response)[0] == "attachment"


def test_every_version_stays_downloadable(cast, client):
    document = document_create(
        group=cast.mwg, title="Draft", upload=upload("v1.pdf", pdf_bytes("one")), by=None
    )
    document_version_add(document=document, upload=upload("v2.docx", docx_bytes("two")), by=None)
    client.force_login(cast.observer)

    bodies = {
        version.number: _streamed(_download(client, version)) for version in document.versions.all()
    }

    assert bodies == {1: pdf_bytes("one"), 2: docx_bytes("two")}


def test_a_missing_file_is_a_404_not_a_500(cast, client):
    document = document_create(
        group=cast.mwg, title="Draft", upload=upload("v1.pdf", pdf_bytes("one")), by=None
    )
    version = document.versions.get()
    version.file.storage.delete(version.file.name)
    client.force_login(cast.secretariat)

    assert _download(client, version).status_code == 404


def test_the_zip_has_a_folder_per_item_and_unique_names(cast, client):
    meeting = scheduled_meeting(cast)
    health = item(meeting, "Health report")
    for title in ("Figures", "Figures again"):
        document_create(
            group=cast.mwg,
            agenda_item=health,
            title=title,
            upload=upload("Report.pdf", pdf_bytes(title)),
            by=None,
        )
    document_create(
        group=cast.mwg,
        agenda_item=health,
        title="Lower case",
        upload=upload("report.pdf", pdf_bytes("Lower case")),
        by=None,
    )
    document_create(
        group=cast.mwg,
        meeting=meeting,
        title="Agenda",
        upload=upload("agenda.pdf", pdf_bytes("Agenda")),
        by=None,
    )
    client.force_login(cast.member)

    response = client.get(reverse("documents:meeting_papers_zip", args=[meeting.pk]))

    assert response.status_code == 200
    assert _disposition(response)[0] == "attachment"
    archive = zipfile.ZipFile(io.BytesIO(_streamed(response)))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "02 Health report/Report.pdf",
        "02 Health report/Report (2).pdf",
        "02 Health report/report (3).pdf",
        "agenda.pdf",
    ]
    assert archive.read("02 Health report/Report (2).pdf") == pdf_bytes("Figures again")


def test_the_zip_of_a_scheduled_meeting_is_named_by_its_reference(cast, client):
    group_update(group=cast.mwg, reference_code="MWG", by=cast.secretariat)
    meeting = scheduled_meeting(cast)
    document_create(
        group=cast.mwg,
        meeting=meeting,
        title="Agenda",
        upload=upload("agenda.pdf", pdf_bytes("Agenda")),
        by=None,
    )
    meeting.refresh_from_db()
    client.force_login(cast.chair)

    response = client.get(reverse("documents:meeting_papers_zip", args=[meeting.pk]))

    assert meeting.reference.startswith("MWG/")
    assert _disposition(response)[1] == f"{meeting.reference.replace('/', '-')} papers.zip"
    archive = zipfile.ZipFile(io.BytesIO(_streamed(response)))
    assert hashlib.sha256(archive.read("agenda.pdf")).hexdigest() == (
        meeting.documents.get().versions.get().sha256
    )
