"""Reads of papers, with their joins done. Lists leave withdrawn papers out; each paper
listed carries its newest version as `current_version` (None before its first)."""

from collections.abc import Iterable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from documents.models import Document, DocumentVersion
from documents.permissions import documents_visible_to
from groups.models import CoordinationGroup
from meetings.models import Meeting
from portal.audit import Actor


def _versions_listed() -> QuerySet[DocumentVersion]:
    # A version's text may run to a megabyte; only search reads it.
    return DocumentVersion.objects.defer("text").select_related("uploaded_by__person")


def current_versions() -> QuerySet[DocumentVersion]:
    """Each paper's newest version, one per paper, to be narrowed to a page's papers
    (`document__in`): current_versions_attach, and the API's list read from rows
    (DocumentSerializer.ROW_ONE)."""
    newest = (
        DocumentVersion.objects.filter(document=OuterRef("document"))
        .order_by("-number")
        .values("pk")[:1]
    )
    # Keyed by paper: the versions' own order (by paper, which joins and sorts the
    # papers) is not needed.
    return _versions_listed().filter(pk=Subquery(newest)).order_by()


def current_versions_attach(documents: Iterable[Document]) -> list[Document]:
    """Set `current_version` on each paper, in one query for all of them."""
    documents = list(documents)
    if not documents:
        return documents
    versions = {
        version.document_id: version
        for version in current_versions().filter(
            document__in=[document.pk for document in documents]
        )
    }
    for document in documents:
        document.current_version = versions.get(document.pk)  # type: ignore[attr-defined]
    return documents


def documents_of_meeting(*, meeting: Meeting, user: Actor) -> list[Document]:
    """The meeting's papers the user may see, in agenda order (the meeting's own papers
    after its items'), oldest first within an item; withdrawn ones left out."""
    documents = (
        documents_visible_to(user)
        .filter(meeting=meeting, is_withdrawn=False)
        .select_related("agenda_item")
        .order_by(F("agenda_item__position").asc(nulls_last=True), "created_at", "pk")
    )
    return current_versions_attach(documents)


def documents_of_group(*, group: CoordinationGroup, user: Actor, query: str = "") -> list[Document]:
    """The group's library as the user may see it (its own papers, not its meetings'),
    newest first; `query`'s words must each be in a title or the description."""
    documents = documents_visible_to(user).filter(
        group=group, meeting__isnull=True, is_withdrawn=False
    )
    for word in query.split()[:10]:
        documents = documents.filter(
            Q(title__icontains=word)
            | Q(title_ar__icontains=word)
            | Q(title_fr__icontains=word)
            | Q(description__icontains=word)
        )
    return current_versions_attach(documents.order_by("-created_at", "-pk"))


def document_versions(document: Document) -> list[DocumentVersion]:
    """Every version of the paper, newest first."""
    return list(_versions_listed().filter(document=document).order_by("-number"))
