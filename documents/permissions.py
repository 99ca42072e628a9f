"""The access funnels for papers and their versions.

A paper on a meeting is seen by whoever sees the meeting (and, on an agenda item, the
item too); a paper in a group's library by whoever sees the group, or by anyone
signed in when it is public. The paper's own label is ANDed with that
(groups.permissions.label_q). Those who manage a meeting read all its papers, as they
read every record of it. Withdrawn papers stay readable by id for those who see
them; the lists leave them out (documents.selectors).

Papers are added by the secretariat and by those who manage the group (its chairs)
or the meeting; on a meeting, also by the invitees acting for the organisation that
presents an agenda item, to that item. A paper is changed (versions, titles,
withdrawal) by those who may add it and by whoever acts for its uploader's
organisation.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from documents.models import Document, DocumentVersion
from groups.models import Confidentiality, CoordinationGroup
from groups.permissions import (
    group_ids_visible_to,
    label_q,
    user_can_manage_group,
)
from meetings.models import AgendaItem, Invitation, Meeting
from meetings.permissions import (
    agenda_items_visible_to,
    meeting_managed_q,
    meeting_visible_q,
    user_can_manage_meeting,
)
from members.models import Person
from members.permissions import (
    organisation_ids_acted_for_by,
    remembered_per_reader,
    user_is_secretariat,
    user_is_signed_in,
)
from portal.audit import Actor


@remembered_per_reader
def documents_visible_to(user: Actor) -> QuerySet[Document]:
    """Every paper the user may read, withdrawn ones included: one query, the user's
    groups, meetings and organisations as subqueries."""
    if user_is_secretariat(user):
        return Document.objects.all()
    if not user_is_signed_in(user):
        return Document.objects.none()
    return Document.objects.filter(_document_visible_q(user))


def _document_visible_q(user: User, *, to_document: str = "") -> Q:
    """The condition on a paper (reached through `to_document`, e.g. "document__" from
    its versions) for a user who is signed in and not the secretariat."""

    def on_paper(lookup: str, value: object) -> Q:
        return Q(**{f"{to_document}{lookup}": value})

    # The item's own label, not agenda_items_visible_to: its meeting is checked already.
    # Read from the paper's item by its key (a join), not from every item passing its
    # label: as a list (IN), PostgreSQL could not hash it in its working memory and
    # sorted the whole library instead of walking it newest first; as a query per paper
    # (EXISTS), it hashed every item passing (22 ms at the benchmark's 40,000 items).
    item_passes_label = label_q(
        user, AgendaItem, group_field="meeting__group", to_row=f"{to_document}agenda_item__"
    )
    on_meeting = meeting_visible_q(user, to_meeting=f"{to_document}meeting__") & (
        on_paper("agenda_item__isnull", True) | item_passes_label
    )
    in_library = on_paper("meeting__isnull", True) & (
        on_paper("group__in", sorted(group_ids_visible_to(user)))
        | on_paper("confidentiality", Confidentiality.PUBLIC)
    )
    return (
        label_q(user, Document, group_field="group", to_row=to_document) & (on_meeting | in_library)
    ) | (
        # As with every record of a meeting: those who manage it read all its papers.
        meeting_managed_q(user, to_meeting=f"{to_document}meeting__")
    )


def document_get_for_user(user: Actor, document_id: int | str, *, manage: bool = False) -> Document:
    """The paper, 404 when missing or hidden, 403 with `manage` when the user sees it
    but may not change it."""
    try:
        document = (
            documents_visible_to(user)
            .select_related("group", "meeting__group", "agenda_item", "created_by")
            .get(pk=document_id)
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such paper.")) from None
    if manage and not user_can_manage_document(user, document):
        raise PermissionDenied(
            _(
                "Only the secretariat, the group's chairs and the organisation that "
                "uploaded the paper may change it."
            )
        )
    return document


@remembered_per_reader
def document_versions_visible_to(user: Actor) -> QuerySet[DocumentVersion]:
    if user_is_secretariat(user):
        # No subquery of every paper: SQLite would drive the list from the papers and
        # sort all their versions instead of reading the newest from the index.
        return DocumentVersion.objects.all()
    if not user_is_signed_in(user):
        return DocumentVersion.objects.none()
    # Asked of each version's paper, through the join the list's order reads it by
    # (newest paper first), not as a list of every visible paper made first (IN),
    # which grows with the library, nor as a query of its own per version (EXISTS),
    # which Django took longer to build than the database to run.
    return DocumentVersion.objects.filter(_document_visible_q(user, to_document="document__"))


def document_version_get_for_user(user: Actor, version_id: int | str) -> DocumentVersion:
    """A version of a paper the user sees (withdrawn papers' too), 404 otherwise."""
    try:
        return (
            document_versions_visible_to(user)
            .select_related("document")
            .defer("text")
            .get(pk=version_id)
        )
    except (DocumentVersion.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such file.")) from None


def user_can_add_document(
    user: Actor,
    *,
    group: CoordinationGroup,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
) -> bool:
    """Whether the user may add a paper there: the library of `group`, `meeting` as a
    whole, or `agenda_item` of `meeting`. Whether the place takes papers at all (a
    cancelled meeting does not) is the service's rule."""
    if not user_is_signed_in(user):
        return False
    if user_is_secretariat(user):
        return True
    if meeting is None and agenda_item is not None:
        meeting = agenda_item.meeting
    if meeting is None:
        return user_can_manage_group(user, group)
    if user_can_manage_meeting(user, meeting):
        return True
    return agenda_item is not None and _presents_as_invitee(user, meeting, agenda_item)


def _presents_as_invitee(user: User, meeting: Meeting, agenda_item: AgendaItem) -> bool:
    """An invitee of `meeting` acting for the organisation presenting `agenda_item`."""
    if agenda_item.meeting_id != meeting.pk or agenda_item.presenter_id is None:
        return False
    presenter_organisation = (
        Person.objects.filter(pk=agenda_item.presenter_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if presenter_organisation is None:
        return False
    if presenter_organisation not in organisation_ids_acted_for_by(user):
        return False
    if not Invitation.objects.filter(meeting=meeting, person__user=user).exists():
        return False
    # Invited to a meeting they may no longer see (a label changed since): no papers.
    return agenda_items_visible_to(user).filter(pk=agenda_item.pk).exists()


def user_can_manage_document(user: Actor, document: Document) -> bool:
    """Whether the user may add versions to the paper, edit and withdraw it: who manages
    where it is, and, for a paper on an agenda item, whoever acts for the organisation
    of its uploader."""
    if not user_is_signed_in(user):
        return False
    if user_is_secretariat(user):
        return True
    meeting = document.meeting
    if meeting is None:
        if user_can_manage_group(user, document.group):
            return True
    elif user_can_manage_meeting(user, meeting):
        return True
    # Members add papers only to agenda items; a paper elsewhere is the managers' alone.
    if document.agenda_item_id is None or document.created_by_id is None:
        return False
    uploader_organisation = (
        Person.objects.filter(user_id=document.created_by_id)
        .values_list("organisation_id", flat=True)
        .first()
    )
    return (
        uploader_organisation is not None
        and uploader_organisation in organisation_ids_acted_for_by(user)
    )
