"""The demo's papers: a concept note on the next meeting's agenda item, the draft terms of
reference and an Arabic country report in the Migration Working Group's library, and a
paper restricted to IOM and the Ministry of Foreign Affairs."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from pypdf import PdfReader

from demo import story
from documents.models import Document
from documents.permissions import documents_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings, tmp_path):
    settings.DEMO_PASSWORD = "tansiq-demo"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())


def _text(document: Document) -> str:
    with document.versions.get().file.open("rb") as stored:
        return "\n".join(page.extract_text() for page in PdfReader(stored).pages)


def test_the_working_group_has_its_papers(loaded):
    papers = Document.objects.filter(group__name=story.MWG)

    assert papers.count() == len(story.PAPERS)
    concept = papers.get(title__startswith="Concept note")
    assert concept.meeting.title == story.QUARTERLY_LABOUR_BORDERS.title
    assert concept.agenda_item.title == "Labour migration governance: ILO assessment"
    assert concept.versions.get().content_type == "application/pdf"
    assert "recruitment practices" in _text(concept)
    library = papers.filter(meeting__isnull=True)
    assert set(library.values_list("language", flat=True)) == {"en", "ar"}
    report = library.get(language="ar")
    assert report.title_ar == "التقرير القطري: الهجرة في ليبيا"


def test_the_restricted_paper_is_named_for_iom_and_the_ministry_of_foreign_affairs(loaded):
    restricted = Document.objects.get(confidentiality="restricted")

    assert set(restricted.restricted_to.values_list("acronym", flat=True)) == {"IOM", "MoFA"}
    assert restricted.meeting.title == story.QUARTERLY_LABOUR_BORDERS.title
    member = User.objects.get(username="member")
    cochair = User.objects.get(username="cochair")
    assert not documents_visible_to(member).filter(pk=restricted.pk).exists()
    assert documents_visible_to(cochair).filter(pk=restricted.pk).exists()


def test_loading_again_adds_no_paper(loaded):
    before = list(Document.objects.values_list("pk", flat=True))

    call_command("load_demo", stdout=io.StringIO())

    assert list(Document.objects.values_list("pk", flat=True)) == before
