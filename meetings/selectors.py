"""Reads for meetings and what hangs off them, with their joins done."""

import datetime as dt

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from groups.models import CoordinationGroup
from groups.selectors import group_descendant_ids
from meetings.models import (
    ActionPoint,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingPack,
)
from members.models import Organisation, Person


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT per meeting (index lookups), not a join + GROUP BY over every
    invitation of every visible meeting."""
    return Coalesce(
        Subquery(queryset.order_by().values("meeting").annotate(n=Count("*")).values("n")),
        0,
    )


def answer_counts(*responses: str) -> dict[str, Coalesce]:
    """The one way answers are counted, as annotations on meetings: `invited_count`,
    and `<response>_count` for each response asked for (all of them by default)."""
    invitations = Invitation.objects.filter(meeting=OuterRef("pk"))
    counts = {"invited_count": _count(invitations)}
    for response in responses or Invitation.Response.values:
        counts[f"{response}_count"] = _count(invitations.filter(response=response))
    return counts


def answer_tally(meeting: Meeting) -> list[tuple[str, str, int]]:
    """(response, label, count) for a meeting annotated with answer_counts(), in the
    order of the choices, for the pages' RSVP summary."""
    return [
        (value, str(label), getattr(meeting, f"{value}_count"))
        for value, label in Invitation.Response.choices
    ]


def meeting_list(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with their group, `invited_count`, `accepted_count` and `pending_count`:
    what the lists show, and no more counting per row than that."""
    return queryset.select_related("group").annotate(
        **answer_counts(Invitation.Response.ACCEPTED, Invitation.Response.PENDING)
    )


def meeting_detail(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """A meeting with its agenda, invitations, register, decisions, action points and
    answer counts."""
    return (
        queryset.select_related("group", "group__parent", "minutes")
        .annotate(**answer_counts())
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("presenter")),
            Prefetch(
                "invitations",
                queryset=Invitation.objects.select_related("person", "organisation", "alternate"),
            ),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("person", "organisation", "invitation"),
            ),
            "decisions",
            Prefetch(
                "action_points",
                queryset=ActionPoint.objects.select_related("owner_organisation", "owner_person"),
            ),
        )
    )


def meeting_pack_of_version(*, key: str) -> MeetingPack | None:
    """The stored pack of a version (meetings.pack.meeting_pack_version), in any state."""
    return MeetingPack.objects.filter(key=key).first()


def meetings_awaiting_answers(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings some invitee has not answered yet, with their answer counts."""
    pending = Invitation.objects.filter(
        meeting=OuterRef("pk"), response=Invitation.Response.PENDING
    )
    return meeting_list(queryset=queryset.filter(Exists(pending)))


def meetings_starting_between(
    *, queryset: QuerySet[Meeting], start: dt.datetime, end: dt.datetime
) -> QuerySet[Meeting]:
    """Meetings starting in [start, end), with their group, in time order."""
    return (
        queryset.filter(start_at__gte=start, start_at__lt=end)
        .select_related("group")
        .order_by("start_at", "pk")
    )


def meetings_upcoming(*, queryset: QuerySet[Meeting], now: dt.datetime | None = None):
    now = now or timezone.now()
    return queryset.filter(status=Meeting.Status.SCHEDULED, end_at__gte=now).order_by("start_at")


def action_point_list(*, queryset: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    return queryset.select_related(
        "meeting", "meeting__group", "owner_organisation", "owner_person"
    )


def action_points_overdue(
    *, queryset: QuerySet[ActionPoint], today: dt.date | None = None, overdue: bool = True
) -> QuerySet[ActionPoint]:
    """Open and due before today (or, with overdue=False, all the others)."""
    condition = Q(status=ActionPoint.Status.OPEN, due_on__lt=today or timezone.localdate())
    return queryset.filter(condition) if overdue else queryset.exclude(condition)


def meetings_of_group_tree(*, queryset: QuerySet[Meeting], group_id: int) -> QuerySet[Meeting]:
    """Meetings of a group and of every group below it: pages and API filter alike."""
    return queryset.filter(group_id__in=group_descendant_ids([group_id]))


def action_points_of_group_tree(
    *, queryset: QuerySet[ActionPoint], group_id: int
) -> QuerySet[ActionPoint]:
    """Action points raised at meetings of a group and of every group below it."""
    return queryset.filter(meeting__group_id__in=group_descendant_ids([group_id]))


def meeting_filter(
    *,
    queryset: QuerySet[Meeting],
    group: CoordinationGroup | None = None,
    status: str = "",
    when: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Meeting]:
    """The meetings list's filters: group (with its sub-groups), status, upcoming or
    past (upcoming soonest first; otherwise newest first)."""
    now = now or timezone.now()
    if group is not None:
        queryset = meetings_of_group_tree(queryset=queryset, group_id=group.pk)
    if status:
        queryset = queryset.filter(status=status)
    if when == "upcoming":
        return queryset.filter(end_at__gte=now).order_by("start_at", "pk")
    if when == "past":
        queryset = queryset.filter(end_at__lt=now)
    return queryset.order_by("-start_at", "pk")


def action_point_filter(
    *,
    queryset: QuerySet[ActionPoint],
    group: CoordinationGroup | None = None,
    organisation: Organisation | None = None,
    status: str = "",
    overdue: bool = False,
) -> QuerySet[ActionPoint]:
    """The action points list's filters: group (with its sub-groups), owner, status,
    overdue; soonest due first."""
    if group is not None:
        queryset = action_points_of_group_tree(queryset=queryset, group_id=group.pk)
    if organisation is not None:
        queryset = queryset.filter(owner_organisation=organisation)
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = action_points_overdue(queryset=queryset)
    return queryset.order_by("due_on", "pk")


def action_points_carried_into(meeting: Meeting) -> QuerySet[ActionPoint]:
    """Open action points of the group raised at earlier meetings: still on the table."""
    return action_point_list(
        queryset=ActionPoint.objects.filter(
            meeting__group_id=meeting.group_id,
            meeting__start_at__lt=meeting.start_at,
            status=ActionPoint.Status.OPEN,
        )
    )


def meetings_in_feed_of(person: Person) -> QuerySet[Meeting]:
    """Meetings the person is invited to that are out of draft, oldest first."""
    return (
        Meeting.objects.filter(invitations__person=person)
        .exclude(status=Meeting.Status.DRAFT)
        .select_related("group")
        .order_by("start_at")
    )


def meeting_summaries(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with RSVP counts and their group's current chair seat (`chair_seat__…`),
    for reading with `.values()`: one query for a whole page."""
    return queryset.annotate(
        **answer_counts(Invitation.Response.ACCEPTED),
        # At most one current chair per group (a unique constraint), so this join
        # never multiplies rows.
        chair_seat=FilteredRelation(
            "group__memberships",
            condition=Q(group__memberships__role="chair", group__memberships__end_on__isnull=True),
        ),
    )


def invitation_alternates(invitation: Invitation) -> QuerySet[Person]:
    """Who may be sent in the invitee's place: active colleagues of the organisation
    the invitation is for (nobody, when it names none)."""
    if invitation.organisation_id is None:
        return Person.objects.none()
    return (
        Person.objects.filter(organisation_id=invitation.organisation_id, is_active=True)
        .exclude(pk=invitation.person_id)
        .order_by("full_name")
    )


def invitations_awaiting_answer(
    *, queryset: QuerySet[Invitation], now: dt.datetime | None = None
) -> QuerySet[Invitation]:
    """Invitations still pending for scheduled meetings that have not ended, soonest
    meeting first, with what the dashboard shows of them."""
    return (
        queryset.filter(
            response=Invitation.Response.PENDING,
            meeting__status=Meeting.Status.SCHEDULED,
            meeting__end_at__gte=now or timezone.now(),
        )
        .select_related("meeting", "meeting__group", "person", "organisation")
        .order_by("meeting__start_at", "person__full_name")
    )
