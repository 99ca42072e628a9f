"""The papers a meeting's pack lists (meetings.pack draws them): the meeting's papers
not withdrawn, with their current version, under their agenda item. Registered with
meetings.pack by documents.apps, since the meetings app may not import this one."""

from django.db.models import F, Max
from django.utils.translation import get_language

from documents.models import Document
from groups.models import Confidentiality
from meetings.models import Meeting, MeetingPack
from meetings.pack import PackPaper


def pack_papers_of(meeting: Meeting, audience: str) -> list[PackPaper]:
    """The papers of `meeting` that a pack's audience may see: managers see them all;
    members (whoever may read the meeting) none that is restricted, itself or through
    its agenda item. A restricted paper named for a reader's organisation stays on its
    page, not in a pack shared by every member."""
    documents = (
        Document.objects.filter(meeting=meeting, is_withdrawn=False)
        .annotate(current_number=Max("versions__number"))
        .filter(current_number__isnull=False)
    )
    if audience != MeetingPack.Audience.MANAGERS:
        documents = documents.exclude(confidentiality=Confidentiality.RESTRICTED).exclude(
            agenda_item__confidentiality=Confidentiality.RESTRICTED
        )
    language = (get_language() or "en")[:2]
    return [
        PackPaper(
            agenda_item_id=document.agenda_item_id,
            title=document.title_in(language),
            language=str(document.get_language_display()),
            version=document.current_number,
        )
        for document in documents.order_by(
            F("agenda_item__position").asc(nulls_last=True), "created_at", "pk"
        )
    ]
