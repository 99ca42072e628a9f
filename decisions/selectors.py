"""Reads for the decisions register: a group's decisions, or the framework's, as the
reader may see them (meetings.permissions.decisions_visible_to), with their joins done."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from decisions.models import ProcedureAnswer
from groups.models import CoordinationGroup
from groups.selectors import group_descendant_ids, restricted_to_prefetch
from meetings.models import Decision
from meetings.permissions import action_points_visible_to, decisions_visible_to
from meetings.selectors import decision_filter
from portal.audit import Actor


def decision_rows(queryset: QuerySet[Decision]) -> QuerySet[Decision]:
    """What a line of the register shows: group, meeting or written procedure, the
    decision that superseded it, and the organisations a restricted one names."""
    return queryset.select_related(
        "group", "meeting", "superseded_by", "written_procedure"
    ).prefetch_related(restricted_to_prefetch())


def decisions_register(
    user: Actor,
    *,
    group: CoordinationGroup | None = None,
    include_sub_groups: bool = True,
    status: str = "",
    source: str = "",
    decided_from: dt.date | None = None,
    decided_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Decision]:
    """The decisions `user` may see, newest first (-decided_on, -id, which an index
    covers, so a page or a keyset cursor reads in order). With no `group`, the whole
    framework's; with one, its own and, by default, its sub-groups'. `q` looks in the
    reference and in the words in all three languages, whatever their case."""
    queryset = decisions_visible_to(user)
    if group is not None:
        if include_sub_groups:
            queryset = queryset.filter(group_id__in=group_descendant_ids([group.pk]))
        else:
            queryset = queryset.filter(group_id=group.pk)
    if status:
        queryset = queryset.filter(status=status)
    if decided_from is not None:
        queryset = queryset.filter(decided_on__gte=decided_from)
    if decided_to is not None:
        queryset = queryset.filter(decided_on__lte=decided_to)
    queryset = decision_filter(queryset, source=source, words=q)
    return decision_rows(queryset).order_by("-decided_on", "-id")


@dataclass(frozen=True)
class StatusChange:
    status: str
    status_display: str
    reason: str
    superseded_by: Decision | None
    changed_at: dt.datetime
    changed_by: object


def decision_detail(user: Actor, decision: Decision) -> Decision:
    """One decision (already through the funnel) with what its page shows: the register's
    joins, the decisions it superseded and the action points linked to it that the
    reader may see."""
    action_points = (
        action_points_visible_to(user)
        .select_related("owner_organisation", "meeting")
        .order_by("due_on", "pk")
    )
    supersedes = decisions_visible_to(user).order_by("-decided_on", "-id")
    return (
        decision_rows(Decision.objects.filter(pk=decision.pk))
        .select_related("corrected_at", "written_procedure__group")
        .prefetch_related(
            Prefetch("action_points", queryset=action_points, to_attr="visible_action_points"),
            Prefetch("supersedes", queryset=supersedes, to_attr="visible_supersedes"),
        )
        .get()
    )


def decision_status_history(decision: Decision) -> list[StatusChange]:
    """Each change of the decision's status, oldest first, from its recorded history
    (the first entry is its adoption)."""
    records = decision.history.select_related("history_user").order_by("history_date", "history_id")
    superseding = {
        row.pk: row
        for row in Decision.objects.filter(
            pk__in={r.superseded_by_id for r in records if r.superseded_by_id}
        )
    }
    changes: list[StatusChange] = []
    previous = None
    for record in records:
        if previous is not None and record.status == previous:
            continue
        previous = record.status
        changes.append(
            StatusChange(
                status=record.status,
                status_display=str(Decision.Status(record.status).label),
                reason=record.status_reason,
                superseded_by=superseding.get(record.superseded_by_id),
                changed_at=record.history_date,
                changed_by=record.history_user,
            )
        )
    return changes


def supersede_candidates(user: Actor, decision: Decision) -> QuerySet[Decision]:
    """The decisions a manager may choose as superseding `decision`: adopted ones of the
    same group, taken that day or later, that the manager sees (the service checks the
    rules again)."""
    candidates = (
        decisions_visible_to(user)
        .filter(
            group_id=decision.group_id,
            status=Decision.Status.ADOPTED,
            decided_on__gte=decision.decided_on,
        )
        .exclude(pk=decision.pk)
    )
    if decision.meeting_id is not None:
        # An earlier decision of the same meeting (a lower number) came before it.
        candidates = candidates.exclude(meeting_id=decision.meeting_id, number__lt=decision.number)
    return candidates.order_by("-decided_on", "-id")


def procedure_trails(procedure_ids: Iterable[int]) -> dict[int, list]:
    """{procedure id: every answer given to it, changed answers included, oldest first},
    in one query for a whole page of procedures (pages and API alike)."""
    trails: dict[int, list] = {pk: [] for pk in procedure_ids}
    if trails:
        entries = (
            ProcedureAnswer.history.filter(procedure_id__in=list(trails))
            .exclude(answer=ProcedureAnswer.Answer.PENDING)
            .select_related("organisation", "answered_by_person", "answered_by")
            .order_by("history_date", "history_id")
        )
        for entry in entries:
            trails[entry.procedure_id].append(entry)
    return trails
