"""The papers' writes: where a paper may go, its label, its versions, its details and
its withdrawal; every refusal names its field and changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from documents.models import Document, DocumentVersion
from documents.services import (
    document_create,
    document_update,
    document_version_add,
    document_withdraw,
)
from groups.models import CoordinationGroup
from groups.services import confidentiality_set, group_set_status, group_update
from meetings.services import meeting_cancel
from tests.documents.places import item, papers_state, scheduled_meeting, stored_files
from tests.documents.upload_files import docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def meeting(cast):
    return scheduled_meeting(cast)


def _pdf(name="paper.pdf", text="A paper."):
    return upload(name, pdf_bytes(text))


def test_a_paper_on_an_agenda_item_goes_on_its_meeting(cast, meeting):
    health = item(meeting, "Health report")

    document = document_create(
        group=cast.mwg, agenda_item=health, title="Health", upload=_pdf(), by=cast.member
    )

    assert (document.meeting, document.agenda_item) == (meeting, health)
    assert document.created_by == cast.member
    assert document.versions.get().uploaded_by == cast.member


def test_the_label_defaults_to_the_groups_terms_and_restricted_names_organisations(cast):
    group_update(group=cast.mwg, default_confidentiality="public", by=cast.secretariat)
    cast.mwg.refresh_from_db()

    default = document_create(group=cast.mwg, title="Open", upload=_pdf(), by=cast.secretariat)
    restricted = document_create(
        group=cast.mwg,
        title="Closed",
        upload=_pdf(),
        confidentiality="restricted",
        restricted_to=[cast.moh],
        by=cast.secretariat,
    )
    members_only = document_create(
        group=cast.mwg,
        title="Members",
        upload=_pdf(),
        confidentiality="members",
        restricted_to=[cast.moh],
        by=cast.secretariat,
    )

    assert default.confidentiality == "public"
    assert restricted.confidentiality == "restricted"
    assert list(restricted.restricted_to.all()) == [cast.moh]
    # Organisations mean something only under "restricted".
    assert list(members_only.restricted_to.all()) == []


def test_the_label_is_members_at_the_root_by_default(cast):
    document = document_create(group=cast.health, title="Paper", upload=_pdf(), by=None)

    assert document.confidentiality == "members"


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("item_of_another_meeting", "agenda_item"),
        ("meeting_of_another_group", "meeting"),
        ("cancelled_meeting", "meeting"),
        ("archived_group", "group"),
        ("bad_label", "confidentiality"),
        ("bad_language", "language"),
        ("no_title", "title"),
    ],
)
def test_a_misplaced_paper_is_refused_naming_the_field(cast, meeting, where, field):
    other = scheduled_meeting(cast, title="Another meeting", invite=())
    arguments = {"group": cast.mwg, "title": "Paper", "upload": _pdf(), "by": cast.secretariat}
    if where == "item_of_another_meeting":
        arguments |= {"meeting": meeting, "agenda_item": item(other, "Opening")}
    elif where == "meeting_of_another_group":
        arguments |= {"group": cast.health, "meeting": meeting}
    elif where == "cancelled_meeting":
        meeting_cancel(meeting=meeting, reason="Postponed", by=cast.secretariat)
        arguments |= {"meeting": meeting}
    elif where == "archived_group":
        group_set_status(
            group=cast.border, status=CoordinationGroup.Status.ARCHIVED, by=cast.secretariat
        )
        arguments |= {"group": CoordinationGroup.objects.get(pk=cast.border.pk)}
    elif where == "bad_label":
        arguments |= {"confidentiality": "secret"}
    elif where == "bad_language":
        arguments |= {"language": "de"}
    else:
        arguments |= {"title": ""}
    before = papers_state()

    with pytest.raises(ValidationError) as refused:
        document_create(**arguments)

    assert field in refused.value.message_dict
    assert papers_state() == before


def test_versions_are_numbered_and_the_old_ones_kept(cast):
    document = document_create(
        group=cast.mwg, title="Draft", upload=_pdf("v1.pdf", "one"), by=cast.secretariat
    )

    second = document_version_add(
        document=document, upload=upload("v2.docx", docx_bytes("two")), note="Comments", by=None
    )
    third = document_version_add(document=document, upload=_pdf("v3.pdf", "three"), by=None)

    numbers = list(document.versions.order_by("number").values_list("number", "file_name"))
    assert numbers == [(1, "v1.pdf"), (2, "v2.docx"), (3, "v3.pdf")]
    assert second.note == "Comments"
    assert len(stored_files()) == 3
    first = document.versions.get(number=1)
    with first.file.open("rb") as stored:
        assert stored.read() == pdf_bytes("one")
    assert third.storage_key != first.storage_key


def test_a_refused_version_stores_nothing(cast):
    document = document_create(group=cast.mwg, title="Draft", upload=_pdf(), by=None)
    before = papers_state()

    with pytest.raises(ValidationError) as refused:
        document_version_add(document=document, upload=upload("v2.pdf", b"<html></html>"), by=None)

    assert list(refused.value.message_dict) == ["upload"]
    assert papers_state() == before


def test_no_version_is_added_to_a_withdrawn_paper_or_one_on_a_cancelled_meeting(cast, meeting):
    withdrawn = document_withdraw(
        document=document_create(group=cast.mwg, title="Old", upload=_pdf(), by=None), by=None
    )
    on_meeting = document_create(
        group=cast.mwg, meeting=meeting, title="Agenda", upload=_pdf(), by=None
    )
    meeting_cancel(meeting=meeting, reason="Postponed", by=cast.secretariat)
    before = papers_state()

    with pytest.raises(ValidationError) as first:
        document_version_add(document=withdrawn, upload=_pdf(), by=None)
    with pytest.raises(ValidationError) as second:
        document_version_add(document=on_meeting, upload=_pdf(), by=None)

    assert "is_withdrawn" in first.value.message_dict
    assert "meeting" in second.value.message_dict
    assert papers_state() == before


def test_update_changes_only_the_details_given(cast):
    document = document_create(
        group=cast.mwg, title="Draft", title_fr="Projet", upload=_pdf(), by=None
    )

    document_update(document=document, title_ar="مسودة", language="mul", by=cast.chair)

    document.refresh_from_db()
    assert (document.title, document.title_ar, document.title_fr, document.language) == (
        "Draft",
        "مسودة",
        "Projet",
        "mul",
    )
    assert document.history.first().history_user == cast.chair


def test_update_refuses_a_control_character_and_changes_nothing(cast):
    document = document_create(group=cast.mwg, title="Draft", upload=_pdf(), by=None)
    before = papers_state()

    with pytest.raises(ValidationError) as refused:
        document_update(document=document, title="Draft\u202e", by=None)

    assert "title" in refused.value.message_dict
    assert papers_state() == before


def test_withdraw_keeps_the_paper_and_its_versions(cast):
    document = document_create(group=cast.mwg, title="Draft", upload=_pdf(), by=None)

    document_withdraw(document=document, by=cast.secretariat)

    document.refresh_from_db()
    assert document.is_withdrawn
    assert DocumentVersion.objects.filter(document=document).count() == 1
    assert len(stored_files()) == 1
    with pytest.raises(ValidationError):
        document_withdraw(document=document, by=cast.secretariat)
    with pytest.raises(ValidationError):
        document_update(document=document, title="New", by=cast.secretariat)


def test_the_text_is_read_after_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = document_create(
            group=cast.mwg,
            title="Returns",
            upload=_pdf("returns.pdf", "Assisted voluntary return figures"),
            by=None,
        )

    version = document.versions.get()
    assert version.text_status == DocumentVersion.TextStatus.DONE
    assert "Assisted voluntary return figures" in version.text
    assert Document.objects.count() == 1


def test_a_paper_on_a_restricted_agenda_item_starts_restricted_to_its_organisations(cast, meeting):
    funding = item(meeting, "Opening")
    confidentiality_set(
        record=funding,
        confidentiality="restricted",
        restricted_to=[cast.mofa, cast.iom],
        by=cast.secretariat,
    )
    group_update(group=cast.mwg, default_confidentiality="public", by=cast.secretariat)

    on_item = document_create(
        group=cast.mwg, agenda_item=funding, title="Costs", upload=_pdf(), by=cast.secretariat
    )
    on_meeting = document_create(
        group=cast.mwg, meeting=meeting, title="Note", upload=_pdf(), by=cast.secretariat
    )

    assert on_item.confidentiality == "restricted"
    assert set(on_item.restricted_to.all()) == {cast.mofa, cast.iom}
    # The meeting's own label, not the group's usual one.
    assert on_meeting.confidentiality == meeting.confidentiality == "members"
