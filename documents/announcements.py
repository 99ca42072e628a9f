"""Who hears that papers were added to a meeting, and which papers an e-mail may name
to each person.

documents.services calls papers_added_announce inside its transaction once a version
is stored. People are told in batches: one notice per person, meeting and clock hour,
held until the hour is over and rendered then (notices.content) with every paper added
to the meeting in that hour that the person may see, so three uploads in one hour make
one e-mail naming three papers. Machines (webhooks) hear of each version at once.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from documents.models import Document, DocumentVersion
from documents.permissions import documents_visible_to
from groups.models import Confidentiality
from meetings.announcements import meeting_payload
from meetings.models import AgendaItem, Invitation, Meeting
from meetings.selectors import people_holding_meeting
from members.models import Person
from notices import outbox
from notices.outbox import NoticeKind
from portal.api.serializers import utc_iso

BATCH = dt.timedelta(hours=1)


# --- What an e-mail may name -----------------------------------------------------------


def _invitations_of(person: Person, meeting: Meeting) -> QuerySet[Invitation]:
    """The invitations that bring `person` to `meeting`: their own, or the one whose
    invitee sent them as alternate."""
    return Invitation.objects.filter(meeting=meeting).filter(
        Q(person=person) | Q(alternate=person, response=Invitation.Response.ALTERNATE)
    )


def _named_for(model, organisation_ids: set[int], *, path: str = "pk") -> Exists:
    """Rows (of Document, or their agenda item through `path`) whose restricted label
    names one of `organisation_ids`."""
    through = model.restricted_to.through
    return Exists(
        through.objects.filter(
            **{f"{model._meta.model_name}_id": OuterRef(path)},
            organisation_id__in=organisation_ids,
        )
    )


def papers_for_person(person: Person, meeting: Meeting) -> QuerySet[Document]:
    """The papers of `meeting`, not withdrawn, that an e-mail to `person` may name.

    Someone with a login gets what the funnel shows them
    (documents.permissions.documents_visible_to). Someone without one reads only their
    mail: they get the public and members' papers of a meeting they are invited to,
    and a restricted one only when it (and its agenda item, if restricted) names their
    organisation, never otherwise."""
    if person.user_id is not None:
        return documents_visible_to(person.user).filter(meeting_id=meeting.pk, is_withdrawn=False)
    papers = Document.objects.filter(meeting_id=meeting.pk, is_withdrawn=False)
    invitations = list(_invitations_of(person, meeting).values_list("organisation_id", flat=True))
    if not invitations:
        return papers.none()
    organisation_ids = {pk for pk in [*invitations, person.organisation_id] if pk is not None}
    restricted = Confidentiality.RESTRICTED
    return papers.filter(
        ~Q(confidentiality=restricted) | _named_for(Document, organisation_ids)
    ).filter(
        Q(agenda_item__isnull=True)
        | ~Q(agenda_item__confidentiality=restricted)
        | _named_for(AgendaItem, organisation_ids, path="agenda_item_id")
    )


def meeting_has_papers(meeting: Meeting) -> bool:
    """Whether papers_for_person could name any paper of `meeting` to anyone: when not,
    an e-mail to each of its many invitees need not ask about them."""
    return Document.objects.filter(meeting_id=meeting.pk, is_withdrawn=False).exists()


@dataclass(frozen=True)
class AddedPaper:
    """A paper added in a batch's hour, at the newest version added then."""

    document: Document
    version: int

    @property
    def is_new_version(self) -> bool:
        return self.version > 1


def papers_added_for(
    person: Person, meeting: Meeting, *, since: dt.datetime, until: dt.datetime
) -> list[AddedPaper]:
    """The papers of `meeting` with a version uploaded in [since, until) that an e-mail
    to `person` may name, in the order they were first added then."""
    # The papers first, on their own: the funnel's query is nested deep already, and
    # SQLite's parser refuses it nested once more.
    seen = list(papers_for_person(person, meeting).values_list("pk", flat=True))
    versions = (
        DocumentVersion.objects.filter(
            document_id__in=seen,
            uploaded_at__gte=since,
            uploaded_at__lt=until,
        )
        .select_related("document__agenda_item")
        .order_by("uploaded_at", "pk")
    )
    newest: dict[int, AddedPaper] = {}
    for version in versions:
        newest[version.document_id] = AddedPaper(document=version.document, version=version.number)
    return list(newest.values())


# --- The announcement ------------------------------------------------------------------


def batch_of(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The clock hour (UTC) `moment` falls in, as [start, end)."""
    start = moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return start, start + BATCH


def _is_for_every_member(document: Document, meeting: Meeting) -> bool:
    """Whether every member organisation of the group may see the paper: webhooks go
    to them all, so a restricted paper (or one on a restricted item or meeting) is not
    described to them."""
    restricted = Confidentiality.RESTRICTED
    labels = [document.confidentiality, meeting.confidentiality]
    if document.agenda_item is not None:
        labels.append(document.agenda_item.confidentiality)
    return restricted not in labels


def paper_payload(version: DocumentVersion) -> dict[str, Any]:
    document = version.document
    return {
        "id": document.pk,
        "title": document.title,
        "title_ar": document.title_ar,
        "title_fr": document.title_fr,
        "language": document.language,
        "agenda_item": document.agenda_item_id,
        "version": version.number,
        "uploaded_at": utc_iso(version.uploaded_at),
    }


def papers_added_announce(*, version: DocumentVersion) -> int:
    """A paper, or a new version of one, was stored. When it is on a scheduled meeting,
    each invitee and alternate who may see it is owed a notice for this hour (one per
    person, meeting and hour, held until the hour is over), and each subscribed member
    organisation a webhook call when every member may see it. Returns how many rows
    are new."""
    document = version.document
    meeting = document.meeting
    if meeting is None or document.is_withdrawn or meeting.status != Meeting.Status.SCHEDULED:
        return 0
    since, until = batch_of(version.uploaded_at)
    people = [
        person
        for person in people_holding_meeting(meeting).select_related("user")
        if papers_for_person(person, meeting).filter(pk=document.pk).exists()
    ]
    written = outbox.notices_write(
        kind=NoticeKind.PAPERS_ADDED,
        version=f"h{since:%Y%m%dT%H}",
        payload={
            **meeting_payload(meeting),
            "papers": {"since": utc_iso(since), "until": utc_iso(until)},
        },
        people=people,
        meeting=meeting,
        not_before=until,
    )
    if _is_for_every_member(document, meeting):
        written += outbox.notices_write(
            kind=NoticeKind.PAPERS_ADDED,
            version=f"d{document.pk}-v{version.number}",
            payload={**meeting_payload(meeting), "paper": paper_payload(version)},
            webhook_group_id=meeting.group_id,
            meeting=meeting,
        )
    return written
