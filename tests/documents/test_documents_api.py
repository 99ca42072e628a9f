"""The papers' API: a multipart upload as curl sends it, the 400s of bad input (each
naming its field, nothing stored), details and label changed, withdrawal, versions,
filters, and the list's queries pinned."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from documents import services, validation
from documents.models import Document, DocumentVersion
from documents.services import document_create
from groups.models import ConfidentialityChange
from members.services import api_token_create
from tests.api.conftest import SchemaCheckedClient
from tests.documents.places import item, papers_state, scheduled_meeting, stored_files
from tests.documents.upload_files import HTML_BYTES, docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
BOUNDARY = "------------------------tansiqtestboundary"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    client.force_authenticate(user=user)
    return client


def _curl_body(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    """multipart/form-data as `curl -F title=… -F upload=@file` writes it."""
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{BOUNDARY}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, (file_name, content, content_type) in files.items():
        parts.append(
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _curl_post(user, path: str, body: bytes, **headers):
    _, secret = api_token_create(user=user)
    return Client().generic(
        "POST",
        path,
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_AUTHORIZATION=f"Token {secret}",
        HTTP_ACCEPT="*/*",
        **headers,
    )


def test_a_curl_upload_with_a_token_makes_a_paper(cast):
    body = _curl_body(
        {
            "group": str(cast.mwg.pk),
            "title": "Concept note",
            "title_ar": "مذكرة مفاهيمية",
            "language": "mul",
            "confidentiality": "restricted",
            "restricted_to": str(cast.moh.pk),
            "note": "First draft",
        },
        {"upload": ("../../etc/concept note.pdf", pdf_bytes("Concept"), "text/html")},
    )

    response = _curl_post(cast.chair, f"{V1}/documents/", body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title_ar"] == "مذكرة مفاهيمية"
    assert (data["language"], data["confidentiality"]) == ("mul", "restricted")
    assert data["restricted_to"] == [cast.moh.pk]
    assert data["group"]["id"] == cast.mwg.pk
    version = data["current_version"]
    # The path the client sent is gone before anything is stored; the type is the content's.
    assert version["file_name"] == "concept note.pdf"
    assert version["content_type"] == "application/pdf"
    assert version["note"] == "First draft"
    assert version["sha256"] == hashlib.sha256(pdf_bytes("Concept")).hexdigest()
    stored = DocumentVersion.objects.get(pk=version["id"]).file.name
    assert stored.startswith(f"documents/{data['id']}/")
    assert (
        (Path(settings.MEDIA_ROOT) / stored)
        .resolve()
        .is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    )
    download = _client(cast.member).get(version["download_url"])
    assert b"".join(download.streaming_content) == pdf_bytes("Concept")


def test_a_member_uploads_for_their_agenda_item_as_curl_would(cast):
    meeting = scheduled_meeting(cast)
    health = item(meeting, "Health report")
    body = _curl_body(
        {"agenda_item": str(health.pk), "title": "Health figures"},
        {"upload": ("figures.docx", docx_bytes("Figures"), "application/octet-stream")},
    )

    response = _curl_post(cast.member, f"{V1}/documents/", body)

    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    assert (document.group, document.meeting, document.agenda_item) == (cast.mwg, meeting, health)


def _body(cast, **overrides):
    body = {
        "group": cast.mwg.pk,
        "title": "Concept note",
        "upload": upload("note.pdf", pdf_bytes("Note")),
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"upload": None}, "upload"),
        ({"upload": upload("empty.pdf", b"")}, "upload"),
        ({"upload": upload("report.pdf", HTML_BYTES)}, "upload"),
        ({"upload": "not a file"}, "upload"),
        ({"title": None}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"language": "de"}, "language"),
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"restricted_to": "abc"}, "restricted_to"),
        ({"group": None}, "group"),
        ({"group": "999999"}, "group"),
        ({"meeting": "1.5"}, "meeting"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(cast, overrides, field):
    before = papers_state()

    response = _client(cast.secretariat).post(
        f"{V1}/documents/", _body(cast, **overrides), format="multipart"
    )

    assert response.status_code == 400, response.content
    assert response.json()["type"] == "validation_error"
    assert field in response.json()["errors"]
    assert papers_state() == before


def test_a_hidden_group_is_a_400_like_a_missing_one(cast):
    before = papers_state()

    response = _client(cast.member).post(
        f"{V1}/documents/", _body(cast, group=cast.other_wg.pk), format="multipart"
    )

    assert response.status_code == 400
    assert "group" in response.json()["errors"]
    assert papers_state() == before


def test_oversize_is_a_400_on_upload_and_only_the_limit_is_kept(cast, settings, monkeypatch):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 500
    before = papers_state()
    received = []
    check = validation.upload_check

    def recording(file):
        received.append(file.size)
        return check(file)

    monkeypatch.setattr(services, "upload_check", recording)

    response = _client(cast.secretariat).post(
        f"{V1}/documents/",
        _body(cast, upload=upload("huge.pdf", b"%PDF-1.7\n" + b"0" * 100_000)),
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["upload"]
    assert "larger than 500" in response.json()["errors"]["upload"][0]
    # Of the 100 kB sent, the limit and one byte reached the check.
    assert received == [501]
    assert papers_state() == before


def test_a_json_body_to_the_upload_is_a_400_on_upload(cast):
    before = papers_state()

    response = _client(cast.secretariat).post(
        f"{V1}/documents/", {"group": cast.mwg.pk, "title": "No file"}, format="json"
    )

    assert response.status_code == 400
    assert "upload" in response.json()["errors"]
    assert papers_state() == before


@pytest.fixture
def paper(cast):
    return document_create(
        group=cast.mwg,
        title="Draft terms",
        upload=upload("terms.pdf", pdf_bytes("Terms")),
        by=cast.chair,
    )


def test_patch_changes_details_and_the_label_with_its_trail(cast, paper):
    response = _client(cast.cochair).patch(
        f"{V1}/documents/{paper.pk}/",
        {
            "title_fr": "Projet de mandat",
            "confidentiality": "restricted",
            "restricted_to": [cast.iom.pk],
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["title_fr"] == "Projet de mandat"
    assert response.json()["confidentiality"] == "restricted"
    assert response.json()["restricted_to"] == [cast.iom.pk]
    change = ConfidentialityChange.objects.get(object_id=paper.pk)
    assert (change.old_label, change.new_label, change.changed_by) == (
        "members",
        "restricted",
        cast.cochair,
    )


@pytest.mark.parametrize(
    ("persona", "code"), [("member", 403), ("observer", 403), ("outsider", 404)]
)
def test_patch_and_withdraw_are_refused_to_readers_and_change_nothing(cast, paper, persona, code):
    client = _client(cast.user(persona))
    before = papers_state()

    patched = client.patch(f"{V1}/documents/{paper.pk}/", {"title": "Mine"}, format="json")
    withdrawn = client.post(f"{V1}/documents/{paper.pk}/withdraw/")
    added = client.post(
        f"{V1}/documents/{paper.pk}/versions/",
        {"upload": upload("v2.pdf", pdf_bytes("v2"))},
        format="multipart",
    )

    assert patched.status_code == withdrawn.status_code == added.status_code == code
    assert papers_state() == before


def test_patch_bad_input_is_a_400(cast, paper):
    before = papers_state()

    response = _client(cast.chair).patch(
        f"{V1}/documents/{paper.pk}/", {"language": "xx", "title": ""}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"language", "title"}
    assert papers_state() == before


def test_withdraw_leaves_the_list_keeps_the_paper_and_refuses_twice(cast, paper):
    client = _client(cast.chair)

    withdrawn = client.post(f"{V1}/documents/{paper.pk}/withdraw/")
    listed = client.get(f"{V1}/documents/").json()["results"]
    again = client.post(f"{V1}/documents/{paper.pk}/withdraw/")

    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_withdrawn"] is True
    assert paper.pk not in {row["id"] for row in listed}
    assert client.get(f"{V1}/documents/{paper.pk}/").status_code == 200
    assert again.status_code == 400
    assert "is_withdrawn" in again.json()["errors"]


def test_versions_are_added_and_listed_newest_first(cast, paper):
    client = _client(cast.chair)

    added = client.post(
        f"{V1}/documents/{paper.pk}/versions/",
        {"upload": upload("terms v2.docx", docx_bytes("v2")), "note": "Comments in"},
        format="multipart",
    )
    refused = client.post(
        f"{V1}/documents/{paper.pk}/versions/",
        {"upload": upload("terms v3.pdf", HTML_BYTES)},
        format="multipart",
    )
    listed = _client(cast.observer).get(f"{V1}/documents/{paper.pk}/versions/")
    detail = _client(cast.observer).get(f"{V1}/documents/{paper.pk}/")

    assert added.status_code == 201, added.content
    assert (added.json()["number"], added.json()["note"]) == (2, "Comments in")
    assert refused.status_code == 400
    assert [row["number"] for row in listed.json()["results"]] == [2, 1]
    assert detail.json()["current_version"]["number"] == 2
    assert len(stored_files()) == 2
    old = _client(cast.observer).get(listed.json()["results"][1]["download_url"])
    assert b"".join(old.streaming_content) == pdf_bytes("Terms")


def test_the_list_filters(cast, paper):
    meeting = scheduled_meeting(cast)
    health = item(meeting, "Health report")
    on_item = document_create(
        group=cast.mwg,
        agenda_item=health,
        title="Figures",
        language="ar",
        confidentiality="public",
        upload=upload("f.pdf", pdf_bytes("f")),
        by=None,
    )
    client = _client(cast.secretariat)

    def ids(**query):
        response = client.get(f"{V1}/documents/", query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(group=cast.mwg.pk) == {paper.pk, on_item.pk}
    assert ids(meeting=meeting.pk) == ids(agenda_item=health.pk) == {on_item.pk}
    assert ids(language="ar") == ids(confidentiality="public") == {on_item.pk}
    assert ids(confidentiality=["members", "public"]) == {paper.pk, on_item.pk}
    assert client.get(f"{V1}/documents/", {"colour": "blue"}).status_code == 400
    assert client.get(f"{V1}/documents/", {"group": "x"}).status_code == 400


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_the_list_runs_the_same_few_queries_for_1_and_many_papers(cast, persona):
    meeting = scheduled_meeting(cast)
    for number in range(12):
        document_create(
            group=cast.mwg,
            meeting=meeting if number % 2 else None,
            agenda_item=item(meeting, "Health report") if number % 4 == 1 else None,
            title=f"Paper {number}",
            # The newest (11) among the restricted, so that the page of one reads its
            # organisations as the page of many does.
            confidentiality="restricted" if number % 3 == 2 else None,
            restricted_to=[cast.moh, cast.iom] if number % 3 == 2 else (),
            upload=upload(f"p{number}.pdf", pdf_bytes(str(number))),
            by=None,
        )
    client = _client(cast.user(persona))
    client.get(f"{V1}/documents/")  # warm the per-user caches (secretariat flag)
    counts, sizes = [], []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{V1}/documents/", {"page_size": size})
        assert response.status_code == 200
        sizes.append(len(response.json()["results"]))
        counts.append(len(queries))

    assert sizes[0] == 1
    assert sizes[1] >= 8
    assert counts[0] == counts[1] <= 6, counts
