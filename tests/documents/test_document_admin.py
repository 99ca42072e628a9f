"""The papers' admin writes through the services: a paper added with its file, a new
file becoming the next version, the label changed with its trail; a refused file is an
error on the form and stores nothing; papers are withdrawn, never deleted."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document
from documents.services import document_create
from groups.models import ConfidentialityChange
from tests.documents.places import papers_state
from tests.documents.upload_files import HTML_BYTES, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(**fields) -> dict:
    data = {
        "title": "Concept note",
        "title_ar": "",
        "title_fr": "",
        "description": "",
        "language": "en",
        "confidentiality": "",
        "note": "",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_the_admin_adds_a_paper_with_its_file_and_the_groups_label(cast, client):
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:documents_document_add"),
        _form(
            group=cast.mwg.pk,
            upload=SimpleUploadedFile("concept.pdf", pdf_bytes("Concept")),
            note="First",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert document.confidentiality == "members"
    assert document.created_by == cast.admin
    version = document.versions.get()
    assert (version.file_name, version.note) == ("concept.pdf", "First")


def test_a_refused_file_is_an_error_on_the_form_and_stores_nothing(cast, client):
    client.force_login(cast.admin)
    before = papers_state()

    response = client.post(
        reverse("admin:documents_document_add"),
        _form(group=cast.mwg.pk, upload=SimpleUploadedFile("report.pdf", HTML_BYTES)),
    )

    assert response.status_code == 200
    assert "web page" in str(response.context["adminform"].form.errors["upload"])
    assert papers_state() == before


def test_a_file_chosen_on_the_change_page_is_the_next_version(cast, client):
    document = document_create(
        group=cast.mwg,
        title="Draft",
        upload=SimpleUploadedFile("v1.pdf", pdf_bytes("one")),
        by=None,
    )
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:documents_document_change", args=[document.pk]),
        _form(
            title="Draft terms",
            confidentiality="restricted",
            restricted_to=[cast.moh.pk],
            upload=SimpleUploadedFile("v2.docx", docx_bytes("two")),
            note="Comments in",
            **{"versions-TOTAL_FORMS": "1", "versions-INITIAL_FORMS": "1"},
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    document.refresh_from_db()
    assert document.title == "Draft terms"
    assert list(document.versions.values_list("number", "file_name")) == [
        (2, "v2.docx"),
        (1, "v1.pdf"),
    ]
    assert document.confidentiality == "restricted"
    assert list(document.restricted_to.all()) == [cast.moh]
    assert ConfidentialityChange.objects.filter(object_id=document.pk).count() == 1


def test_the_change_page_shows_versions_with_their_download_and_nothing_is_deleted(cast, client):
    document = document_create(
        group=cast.mwg,
        title="Draft",
        upload=SimpleUploadedFile("v1.pdf", pdf_bytes("one")),
        by=None,
    )
    client.force_login(cast.admin)

    page = client.get(reverse("admin:documents_document_change", args=[document.pk]))
    deleted = client.post(
        reverse("admin:documents_document_delete", args=[document.pk]), {"post": "yes"}
    )
    withdrawn = client.post(
        reverse("admin:documents_document_changelist"),
        {"action": "withdraw", "_selected_action": [document.pk]},
    )

    version = document.versions.get()
    assert reverse("documents:version_download", args=[version.pk]) in page.content.decode()
    assert deleted.status_code == 403
    assert withdrawn.status_code == 302
    document.refresh_from_db()
    assert document.is_withdrawn
