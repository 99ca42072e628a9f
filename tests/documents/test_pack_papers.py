"""The meeting pack lists the papers of each agenda item that its audience may see, and
adding a paper (or a version of one) makes a new pack."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents.services import document_version_add, document_withdraw
from meetings import pack
from meetings.models import Meeting, MeetingPack
from meetings.selectors import meeting_detail
from meetings.services import (
    agenda_item_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_save,
)
from tests.documents.paper_files import paper_add, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def meeting(cast):
    start = timezone.now() + dt.timedelta(days=7)
    meeting = meeting_create(
        group=cast.mwg,
        title="Quarterly meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Labour migration", by=None)
    agenda_item_add(meeting=meeting, title="Border management", by=None)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting = meeting_schedule(meeting=meeting, by=cast.secretariat)
    items = {item.title: item for item in meeting.agenda_items.all()}
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        agenda_item=items["Labour migration"],
        title="Concept note on labour migration",
        title_ar="مذكرة مفاهيمية بشأن هجرة العمالة",
    )
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        agenda_item=items["Border management"],
        title="Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom, cast.mofa],
    )
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        title="Logistics note",
        language="fr",
    )
    return meeting


@pytest.fixture
def pack_text(client, cast, django_capture_on_commit_callbacks):
    """The text of the pack a persona downloads, in a language (built in-process when
    the request commits)."""

    def text(meeting, persona: str, language: str = "en") -> str:
        client.force_login(cast.user(persona))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        url = reverse("meeting-pack", args=[meeting.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        if response.status_code == 202:
            response = client.get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)

    return text


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_members_pack_lists_each_items_papers_but_no_restricted_one(pack_text, meeting):
    text = pack_text(meeting, "member")

    papers = _between(text, "Papers", "Attendance")
    labour = _between(papers, "1. Labour migration", "Other papers of the meeting")
    assert "Concept note on labour migration" in labour
    assert "English" in labour
    assert "Other papers of the meeting" in papers
    assert "Logistics note" in papers
    assert "French" in papers
    assert "Border capacity assessment" not in text


def test_the_managers_pack_lists_the_restricted_paper_too(pack_text, cast):
    start = timezone.now() - dt.timedelta(hours=3)
    held = meeting_create(
        group=cast.mwg,
        title="Extraordinary meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    agenda_item_add(meeting=held, title="Border management", by=None)
    invitations_create_for_group(meeting=held, by=cast.secretariat)
    held = meeting_mark_held(meeting=held, by=cast.secretariat)
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=held,
        agenda_item=held.agenda_items.get(),
        title="Border capacity assessment",
        confidentiality="restricted",
        restricted_to=[cast.iom, cast.mofa],
    )
    # Those who read the draft minutes get the managers' pack.
    minutes_save(meeting=held, body="Draft", by=cast.secretariat)

    managers = pack_text(held, "secretariat")
    members = pack_text(held, "member")

    assert "Border capacity assessment" in _between(managers, "1. Border management", "Attendance")
    assert "Border capacity assessment" not in members


def test_the_pack_gives_the_titles_in_its_language_and_the_current_version(
    pack_text, cast, meeting
):
    concept = meeting.documents.get(title="Concept note on labour migration")
    document_version_add(document=concept, upload=pdf_upload(), by=cast.secretariat)

    english = pack_text(meeting, "member")
    arabic = pack_text(meeting, "member", "ar")

    assert re.search(r"Concept note on labour migration\s+English\s+2\b", english)
    assert re.search(r"Logistics note\s+French\s+1\b", english)
    assert "مذكرة مفاهيمية بشأن هجرة العمالة" in arabic
    assert "Concept note on labour migration" not in arabic


def test_a_new_paper_or_version_makes_a_new_pack_and_a_withdrawn_one_leaves_it(cast, meeting):
    def key() -> str:
        loaded = meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()
        return pack.meeting_pack_version(loaded, minutes=None, language="en").key

    first = key()
    concept = meeting.documents.get(title="Concept note on labour migration")
    document_version_add(document=concept, upload=pdf_upload(), by=cast.secretariat)
    after_version = key()
    paper_add(by=cast.secretariat, group=cast.mwg, meeting=meeting, title="Annex")
    after_paper = key()
    document_withdraw(document=meeting.documents.get(title="Annex"), by=cast.secretariat)
    after_withdrawal = key()

    assert len({first, after_version, after_paper}) == 3
    assert after_withdrawal == after_version
    # A restricted paper is not in the members' pack: adding one leaves it as it is.
    paper_add(
        by=cast.secretariat,
        group=cast.mwg,
        meeting=meeting,
        title="Second restricted note",
        confidentiality="restricted",
        restricted_to=[cast.iom],
    )
    assert key() == after_withdrawal


def test_each_pack_version_is_built_once(pack_text, cast, meeting):
    pack_text(meeting, "member")
    pack_text(meeting, "observer")
    paper_add(by=cast.secretariat, group=cast.mwg, meeting=meeting, title="Annex")
    text = pack_text(meeting, "member")

    assert "Annex" in text
    assert MeetingPack.objects.filter(meeting=meeting, audience="members").count() == 2
