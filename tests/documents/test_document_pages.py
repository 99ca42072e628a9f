"""The papers in the pages: a group's library, a paper's page with its versions, the
upload forms (what they offer, what a refusal says), edit and withdrawal, and the
papers' panel on a meeting's page."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, DocumentVersion
from documents.services import document_version_add, document_withdraw
from groups.models import ConfidentialityChange
from meetings.services import (
    agenda_item_add,
    invitations_create_for_group,
    meeting_create,
    meeting_schedule,
)
from tests.conftest import PERSONAS
from tests.documents.paper_files import paper_add, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db
EVERYONE = (*PERSONAS, "anonymous")


@pytest.fixture(autouse=True)
def _files_and_tokens(settings, tmp_path):
    """Stored papers go to the test's own folder; each test starts with no form token
    claimed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def login(client, cast, persona: str):
    if persona != "anonymous":
        client.force_login(cast.user(persona))
    return client


@pytest.fixture
def meeting(cast):
    """A scheduled MWG meeting next week: the chair (MoFA) opens it, the Ministry of
    Health (the member) reports on health; the group is invited."""
    start = timezone.now() + dt.timedelta(days=7)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Opening", presenter=cast.chair_person, by=None)
    agenda_item_add(meeting=meeting, title="Health report", presenter=cast.member_person, by=None)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting_schedule(meeting=meeting, by=cast.secretariat)


def _item(meeting, title: str):
    return meeting.agenda_items.get(title=title)


def _library(group) -> str:
    return reverse("documents:group-library", args=[group.pk])


def _upload_data(**overrides) -> dict:
    data = {
        "title": "Draft terms of reference",
        "title_ar": "مسودة الاختصاصات",
        "title_fr": "Projet de mandat",
        "language": "en",
        "description": "",
        "confidentiality": "",
        "note": "",
        "form_token": "token-1",
        "upload": SimpleUploadedFile(
            "terms.pdf", pdf_bytes("Terms of reference"), content_type="application/pdf"
        ),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The library -----------------------------------------------------------------------


def test_the_library_lists_the_groups_papers_in_the_readers_language(client, cast):
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        title="Draft terms of reference",
        title_ar="مسودة الاختصاصات",
        language="en",
    )
    paper_add(by=cast.secretariat, group=cast.mwg, title="Country report", language="ar")
    login(client, cast, "member")

    english = client.get(_library(cast.mwg)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.get(_library(cast.mwg)).content.decode()

    assert "Draft terms of reference" in english
    assert "Country report" in english
    assert "Arabic" in english
    assert 'dir="rtl"' in arabic
    assert "مسودة الاختصاصات" in arabic
    assert "Draft terms of reference" not in arabic
    # A paper with no Arabic title keeps its English one.
    assert "Country report" in arabic


def test_the_library_filters_by_words_and_by_language(client, cast):
    paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    paper_add(by=cast.secretariat, group=cast.mwg, title="Country report", language="ar")
    login(client, cast, "member")

    by_words = client.get(_library(cast.mwg), {"q": "terms"})
    by_language = client.get(_library(cast.mwg), {"language": "ar"})
    nothing = client.get(_library(cast.mwg), {"q": "minutes"})

    assert [d.title for d in by_words.context["page"]] == ["Draft terms of reference"]
    assert [d.title for d in by_language.context["page"]] == ["Country report"]
    assert "No papers match." in nothing.content.decode()


def test_a_restricted_paper_is_listed_only_for_those_it_names(client, cast):
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        title="Returns caseload note",
        confidentiality="restricted",
        restricted_to=[cast.iom],
    )
    listed = {}
    for persona in ("secretariat", "chair", "cochair", "member", "observer"):
        page = login(client, cast, persona).get(_library(cast.mwg))
        listed[persona] = "Returns caseload note" in page.content.decode()

    assert listed == {
        "secretariat": True,
        "chair": True,
        "cochair": True,
        "member": False,
        "observer": False,
    }


def test_outsiders_see_only_a_libraries_public_papers(client, cast):
    login(client, cast, "outsider")
    assert client.get(_library(cast.mwg)).status_code == 404

    paper_add(by=cast.secretariat, group=cast.mwg, title="Members' paper")
    paper_add(by=cast.secretariat, group=cast.mwg, title="Public brief", confidentiality="public")
    page = client.get(_library(cast.mwg))

    assert page.status_code == 200
    assert [d.title for d in page.context["page"]] == ["Public brief"]
    assert f'href="{reverse("group-detail", args=[cast.mwg.pk])}"' not in page.content.decode()


def test_the_group_page_links_to_its_library(client, cast):
    page = login(client, cast, "member").get(reverse("group-detail", args=[cast.mwg.pk]))
    assert _library(cast.mwg) in page.content.decode()


def test_the_library_page_queries_do_not_grow_with_papers(
    client, cast, django_assert_max_num_queries
):
    for number in range(30):
        paper_add(by=cast.secretariat, group=cast.mwg, title=f"Paper {number}")
    for persona in ("secretariat", "member"):
        login(client, cast, persona)
        with django_assert_max_num_queries(9):
            response = client.get(_library(cast.mwg))
        # A page of 25 and word of another, found without counting all 30.
        page = response.context["page"]
        assert (len(page), page.has_next) == (25, True)
        second = client.get(_library(cast.mwg), {"page": 2}).context["page"]
        assert (len(second), second.has_next, second.has_previous) == (5, False, True)


# --- Uploading to the library ---------------------------------------------------------


def test_the_secretariat_uploads_a_paper_to_the_library(client, cast):
    login(client, cast, "secretariat")

    response = client.post(reverse("documents:library-upload", args=[cast.mwg.pk]), _upload_data())

    document = Document.objects.get(title="Draft terms of reference")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:document-detail", args=[document.pk])
    assert (document.group, document.meeting, document.title_ar) == (
        cast.mwg,
        None,
        "مسودة الاختصاصات",
    )
    assert document.confidentiality == "members"
    version = document.versions.get()
    assert (version.number, version.file_name, version.content_type) == (
        1,
        "terms.pdf",
        "application/pdf",
    )


def test_a_label_and_its_organisations_come_from_the_form(client, cast):
    login(client, cast, "chair")
    data = _upload_data(confidentiality="restricted")
    data["restricted_to"] = [cast.iom.pk, cast.mofa.pk]

    client.post(reverse("documents:library-upload", args=[cast.mwg.pk]), data)

    document = Document.objects.get(title="Draft terms of reference")
    assert document.confidentiality == "restricted"
    assert set(document.restricted_to.all()) == {cast.iom, cast.mofa}


def test_a_refused_upload_says_why_keeps_the_other_fields_and_stores_nothing(client, cast):
    login(client, cast, "secretariat")
    disguised = SimpleUploadedFile(
        "terms.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = client.post(
        reverse("documents:library-upload", args=[cast.mwg.pk]), _upload_data(upload=disguised)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_upload_error"' in page
    assert 'value="Draft terms of reference"' in page
    assert 'value="مسودة الاختصاصات"' in page
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


def test_a_double_submit_uploads_once(client, cast):
    login(client, cast, "secretariat")
    url = reverse("documents:library-upload", args=[cast.mwg.pk])

    first = client.post(url, _upload_data())
    second = client.post(url, _upload_data())

    assert first.status_code == second.status_code == 302
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("member", 403), ("observer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_managers_upload_to_the_library(client, cast, persona, expected):
    login(client, cast, persona)
    url = reverse("documents:library-upload", args=[cast.mwg.pk])

    assert client.get(url).status_code == expected
    assert client.post(url, _upload_data()).status_code == expected
    assert not Document.objects.exists()


# --- Uploading to a meeting -----------------------------------------------------------


def test_the_member_is_offered_only_the_agenda_item_their_organisation_presents(
    client, cast, meeting
):
    login(client, cast, "member")
    url = reverse("documents:meeting-upload", args=[meeting.pk])

    form = client.get(url).context["form"]
    offered = list(form.fields["agenda_item"].queryset)
    response = client.post(
        url, _upload_data(title="Health report", agenda_item=_item(meeting, "Health report").pk)
    )
    refused = client.post(
        url, _upload_data(title="Opening remarks", agenda_item=_item(meeting, "Opening").pk)
    )

    assert offered == [_item(meeting, "Health report")]
    assert form.fields["agenda_item"].required
    assert response.status_code == 302
    assert Document.objects.get(title="Health report").agenda_item.title == "Health report"
    assert refused.status_code == 200
    assert "id_agenda_item_error" in refused.content.decode()
    assert not Document.objects.filter(title="Opening remarks").exists()


def test_the_secretariat_may_put_a_paper_on_the_meeting_as_a_whole(client, cast, meeting):
    login(client, cast, "secretariat")
    url = reverse("documents:meeting-upload", args=[meeting.pk])
    opening = _item(meeting, "Opening")

    form = client.get(url, {"agenda_item": opening.pk}).context["form"]
    client.post(url, _upload_data(title="Logistics note"))

    assert not form.fields["agenda_item"].required
    assert form.initial["agenda_item"] == opening
    document = Document.objects.get(title="Logistics note")
    assert (document.meeting, document.agenda_item) == (meeting, None)


@pytest.mark.parametrize(("persona", "expected"), [("observer", 403), ("outsider", 404)])
def test_others_cannot_add_papers_to_the_meeting(client, cast, meeting, persona, expected):
    login(client, cast, persona)
    url = reverse("documents:meeting-upload", args=[meeting.pk])
    data = _upload_data(agenda_item=_item(meeting, "Opening").pk)

    assert client.get(url).status_code == expected
    assert client.post(url, data).status_code == expected
    assert not Document.objects.exists()


# --- The meeting's papers panel -------------------------------------------------------


def test_the_meeting_page_lists_its_papers_by_agenda_item(client, cast, meeting):
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        agenda_item=_item(meeting, "Health report"),
        title="Health situation report",
    )
    paper_add(by=cast.secretariat, group=cast.mwg, meeting=meeting, title="Logistics note")
    login(client, cast, "observer")

    page = client.get(reverse("meeting-detail", args=[meeting.pk])).content.decode()

    panel = page[page.index('id="papers"') :]
    assert panel.index("Health report") < panel.index("Health situation report")
    assert panel.index("Health situation report") < panel.index("Logistics note")
    assert reverse("documents:meeting_papers_zip", args=[meeting.pk]) in panel
    version = Document.objects.get(title="Logistics note").versions.get()
    assert reverse("documents:version_download", args=[version.pk]) in panel
    # The observer presents nothing and manages nothing: no upload link.
    assert reverse("documents:meeting-upload", args=[meeting.pk]) not in panel


def test_the_meeting_page_hides_a_restricted_paper_from_the_member(client, cast, meeting):
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        title="Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom, cast.mofa],
    )

    member_page = login(client, cast, "member").get(reverse("meeting-detail", args=[meeting.pk]))
    cochair_page = login(client, cast, "cochair").get(reverse("meeting-detail", args=[meeting.pk]))

    assert "Border capacity assessment" not in member_page.content.decode()
    assert "Border capacity assessment" in cochair_page.content.decode()


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_those_who_may_add_a_paper_see_the_link(client, cast, meeting, persona):
    page = login(client, cast, persona).get(reverse("meeting-detail", args=[meeting.pk]))
    assert reverse("documents:meeting-upload", args=[meeting.pk]) in page.content.decode()


def test_the_meeting_page_queries_stay_bounded_with_papers(
    client, cast, meeting, django_assert_max_num_queries
):
    for number in range(12):
        paper_add(
            by=cast.secretariat,
            group=cast.mwg,
            meeting=meeting,
            agenda_item=_item(meeting, "Health report" if number % 2 else "Opening"),
            title=f"Paper {number}",
        )
    for persona in ("secretariat", "member"):
        login(client, cast, persona)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("meeting-detail", args=[meeting.pk]))
        assert response.content.decode().count("Paper ") >= 12


# --- A paper's page -------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_papers_page_follows_what_the_reader_may_see(client, cast, persona):
    document = paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        title="Returns caseload note",
        confidentiality="restricted",
        restricted_to=[cast.iom],
    )
    expected = {
        "admin": 200,
        "secretariat": 200,
        "chair": 200,
        "cochair": 200,
        "member": 404,
        "observer": 404,
        "outsider": 404,
        "anonymous": 302,
    }[persona]

    response = login(client, cast, persona).get(
        reverse("documents:document-detail", args=[document.pk])
    )

    assert response.status_code == expected


def test_a_papers_page_lists_every_version_each_downloadable(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    document_version_add(
        document=document, upload=pdf_upload("terms-v2.pdf"), note="Comments of IOM", by=None
    )
    login(client, cast, "member")

    page = client.get(reverse("documents:document-detail", args=[document.pk])).content.decode()

    versions = list(document.versions.order_by("-number"))
    assert [version.number for version in versions] == [2, 1]
    for version in versions:
        assert reverse("documents:version_download", args=[version.pk]) in page
    assert page.index("terms-v2.pdf") < page.index("Draft terms of reference.pdf")
    assert "Comments of IOM" in page
    # The member may not change the secretariat's paper.
    assert reverse("documents:document-version-add", args=[document.pk]) not in page
    assert reverse("documents:document-edit", args=[document.pk]) not in page


def test_a_new_version_is_uploaded_from_the_papers_page(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, "chair")
    url = reverse("documents:document-version-add", args=[document.pk])

    page = client.get(reverse("documents:document-detail", args=[document.pk])).content.decode()
    response = client.post(
        url, {"upload": pdf_upload("terms-v2.pdf"), "note": "Final", "form_token": "t-2"}
    )

    assert url in page
    assert response.status_code == 302
    assert list(document.versions.values_list("number", "note")) == [(2, "Final"), (1, "")]


def test_a_refused_version_says_why_and_adds_nothing(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, "chair")
    program = SimpleUploadedFile("terms.pdf", b"MZ\x90\x00" + b"\x00" * 200)

    response = client.post(
        reverse("documents:document-version-add", args=[document.pk]),
        {"upload": program, "note": "Final", "form_token": "t-3"},
    )

    assert response.status_code == 200
    assert 'id="id_upload_error"' in response.content.decode()
    assert 'value="Final"' in response.content.decode()
    assert document.versions.count() == 1


def test_a_member_cannot_add_a_version_to_the_secretariats_paper(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, "member")

    response = client.post(
        reverse("documents:document-version-add", args=[document.pk]),
        {"upload": pdf_upload(), "form_token": "t-4"},
    )

    assert response.status_code == 403
    assert document.versions.count() == 1


def test_managers_edit_the_titles_and_the_label(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, "chair")

    response = client.post(
        reverse("documents:document-edit", args=[document.pk]),
        {
            "title": "Terms of reference",
            "title_ar": "الاختصاصات",
            "title_fr": "",
            "description": "",
            "language": "en",
            "confidentiality": "restricted",
            "restricted_to": [cast.iom.pk],
            "form_token": "t-5",
        },
    )

    document.refresh_from_db()
    assert response.status_code == 302
    assert (document.title, document.title_ar, document.confidentiality) == (
        "Terms of reference",
        "الاختصاصات",
        "restricted",
    )
    assert list(document.restricted_to.all()) == [cast.iom]
    assert ConfidentialityChange.objects.filter(object_id=document.pk).count() == 1


def test_an_edit_with_an_empty_title_keeps_the_paper_and_the_input(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, "chair")

    response = client.post(
        reverse("documents:document-edit", args=[document.pk]),
        {
            "title": "",
            "title_ar": "الاختصاصات",
            "language": "en",
            "confidentiality": "members",
            "form_token": "t-6",
        },
    )

    document.refresh_from_db()
    assert response.status_code == 200
    assert 'id="id_title_error"' in response.content.decode()
    assert 'value="الاختصاصات"' in response.content.decode()
    assert (document.title, document.title_ar) == ("Draft terms of reference", "")


def test_a_withdrawn_paper_leaves_the_library_and_keeps_its_page(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, "secretariat")

    asked = client.get(reverse("documents:document-withdraw", args=[document.pk]))
    response = client.post(
        reverse("documents:document-withdraw", args=[document.pk]), {"form_token": "t-7"}
    )
    library = client.get(_library(cast.mwg)).content.decode()
    page = client.get(reverse("documents:document-detail", args=[document.pk])).content.decode()

    assert asked.status_code == 200
    assert response.status_code == 302
    assert "Draft terms of reference" not in library
    assert "Withdrawn" in page
    assert reverse("documents:document-edit", args=[document.pk]) not in page


@pytest.mark.parametrize("persona", ["member", "observer"])
def test_others_cannot_edit_or_withdraw(client, cast, persona):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    login(client, cast, persona)

    edit = client.post(
        reverse("documents:document-edit", args=[document.pk]),
        {"title": "Changed", "language": "en", "confidentiality": "public", "form_token": "x"},
    )
    withdraw = client.post(
        reverse("documents:document-withdraw", args=[document.pk]), {"form_token": "y"}
    )

    document.refresh_from_db()
    assert edit.status_code == withdraw.status_code == 403
    assert (document.title, document.confidentiality, document.is_withdrawn) == (
        "Draft terms of reference",
        "members",
        False,
    )


def test_a_withdrawn_paper_cannot_be_edited(client, cast):
    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Draft terms of reference")
    document_withdraw(document=document, by=None)
    login(client, cast, "secretariat")

    response = client.get(reverse("documents:document-edit", args=[document.pk]))

    assert response.status_code == 403


def test_a_papers_page_shows_its_label_changes_to_those_who_may_change_it(client, cast):
    from groups.services import confidentiality_set

    document = paper_add(by=cast.secretariat, group=cast.mwg, title="Returns costing")
    confidentiality_set(
        record=document, confidentiality="restricted", restricted_to=[cast.moh], by=cast.secretariat
    )
    url = reverse("documents:document-detail", args=[document.pk])

    login(client, cast, "secretariat")
    managed = client.get(url).content.decode()
    login(client, cast, "member")
    read = client.get(url).content.decode()

    assert "Label changed from" in managed
    assert "Ministry of Health" in managed.split("Changes of its label")[1]
    # The member's organisation is named, so they see the paper, but not who changed it.
    assert "Returns costing" in read
    assert "Label changed from" not in read
