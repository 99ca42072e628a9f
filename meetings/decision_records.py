"""A held meeting's decision as it is written down: numbered after the meeting's others,
given its reference and the quorum as the register stands, labelled like the meeting.
Shared by meetings.services (decisions taken in the meeting) and meetings.follow_up (the
decision adopting earlier minutes), which may not import each other."""

from collections.abc import Iterable

from django.db.models import Max

from groups.services import label_for_new
from meetings import references
from meetings.models import AgendaItem, Decision, Meeting
from meetings.selectors import quorum_status
from members.models import Organisation
from portal.audit import Actor, audited_save


def meeting_decision_write(
    meeting: Meeting,
    *,
    text: str,
    by: Actor,
    agenda_item: AgendaItem | None = None,
    confidentiality: str | None = None,
    restricted_to: Iterable[Organisation] = (),
    correction_at: Meeting | None = None,
) -> Decision:
    """The caller holds the meeting's row lock (numbers are not reused or doubled, and
    no quorum tick slips in between) and has checked the meeting may take it."""
    label = label_for_new(
        confidentiality=confidentiality,
        restricted_to=restricted_to,
        group=meeting.group,
        container=meeting,
    )
    number = (meeting.decisions.aggregate(last=Max("number"))["last"] or 0) + 1
    decision = Decision(
        group=meeting.group,
        meeting=meeting,
        decided_on=meeting.start_at.astimezone(meeting.zone).date(),
        number=number,
        text=text,
        agenda_item=agenda_item,
        reference=references.decision_reference(meeting, number),
        quorum_met=quorum_status(meeting).met,
        confidentiality=label.confidentiality,
        corrected_at=correction_at,
    )
    audited_save(decision, by=by)
    label.attach(decision)
    return decision
