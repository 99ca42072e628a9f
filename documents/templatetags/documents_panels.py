"""The papers' panels that other apps' pages show, so those pages need not import the
documents app: the meeting's page lists its papers by agenda item with a tag, as the
group's page shows its meetings with meetings_panels."""

from django import template
from django.utils.translation import get_language

from documents.models import Document
from documents.permissions import user_can_add_document
from documents.selectors import documents_of_meeting
from meetings.models import AgendaItem, Meeting
from members.permissions import organisation_ids_acted_for_by
from portal.pages import local_name

register = template.Library()


@register.filter
def paper_title(document: Document) -> str:
    """The paper's title in the page's language, or in English when it has none."""
    return document.title_in((get_language() or "en")[:2])


@register.filter
def uploader(version) -> str:
    """Who uploaded a version: their name in the page's language, else their login."""
    user = getattr(version, "uploaded_by", None)
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return local_name(person) if person is not None else user.get_username()


def _may_add_to(user, meeting: Meeting) -> bool:
    """Whether the user may add a paper to the meeting as a whole or to one of its items
    (the upload form then offers only those)."""
    if meeting.status == Meeting.Status.CANCELLED:
        return False
    group = meeting.group
    if user_can_add_document(user, group=group, meeting=meeting):
        return True
    # Asking the funnel about every item costs queries per item; only an item presented
    # by an organisation the user acts for can be open to them, so only those are asked.
    acted_for = organisation_ids_acted_for_by(user)
    return any(
        user_can_add_document(user, group=group, meeting=meeting, agenda_item=item)
        for item in meeting.agenda_items.all()
        if item.presenter is not None and item.presenter.organisation_id in acted_for
    )


@register.inclusion_tag("documents/_meeting_papers.html", takes_context=True)
def meeting_papers_panel(context, meeting: Meeting) -> dict:
    """The meeting's papers the reader may see, under their agenda item (the meeting's
    own papers last), "download all" and, where the reader may, "add a paper"."""
    user = context["request"].user
    papers = documents_of_meeting(meeting=meeting, user=user)
    by_item: dict[int | None, list[Document]] = {}
    for paper in papers:
        by_item.setdefault(paper.agenda_item_id, []).append(paper)
    # Under the items the reader is shown, in agenda order, then the meeting's own.
    sections: list[tuple[AgendaItem | None, list[Document]]] = [
        (item, by_item[item.pk]) for item in meeting.agenda_items.all() if item.pk in by_item
    ]
    if None in by_item:
        sections.append((None, by_item[None]))
    return {
        "meeting": meeting,
        "sections": [{"item": item, "papers": listed} for item, listed in sections],
        "paper_count": sum(len(listed) for _item, listed in sections),
        "can_add": _may_add_to(user, meeting),
        "request": context["request"],
    }
