"""Reads for meetings and what hangs off them, with their joins done."""

import datetime as dt

from django.db.models import Count, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetings.models import ActionPoint, AgendaItem, Attendance, Invitation, Meeting


def meeting_list(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with their group and RSVP counts."""
    return queryset.select_related("group").annotate(
        invited_count=Count("invitations", distinct=True),
        accepted_count=Count(
            "invitations",
            filter=Q(invitations__response=Invitation.Response.ACCEPTED),
            distinct=True,
        ),
    )


def meeting_detail(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.select_related("group", "group__parent", "minutes").prefetch_related(
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


def meetings_upcoming(*, queryset: QuerySet[Meeting], now: dt.datetime | None = None):
    now = now or timezone.now()
    return queryset.filter(status=Meeting.Status.SCHEDULED, end_at__gte=now).order_by("start_at")


def action_point_list(*, queryset: QuerySet[ActionPoint]) -> QuerySet[ActionPoint]:
    return queryset.select_related(
        "meeting", "meeting__group", "owner_organisation", "owner_person"
    )


def action_points_overdue(
    *, queryset: QuerySet[ActionPoint], today: dt.date | None = None
) -> QuerySet[ActionPoint]:
    today = today or timezone.localdate()
    return queryset.filter(status=ActionPoint.Status.OPEN, due_on__lt=today)


def action_points_carried_into(meeting: Meeting) -> QuerySet[ActionPoint]:
    """Open action points of the group raised at earlier meetings: still on the table."""
    return action_point_list(
        queryset=ActionPoint.objects.filter(
            meeting__group_id=meeting.group_id,
            meeting__start_at__lt=meeting.start_at,
            status=ActionPoint.Status.OPEN,
        )
    )


def meetings_in_feed_of(person) -> QuerySet[Meeting]:
    """Meetings the person is invited to that are out of draft, oldest first."""
    return (
        Meeting.objects.filter(invitations__person=person)
        .exclude(status=Meeting.Status.DRAFT)
        .select_related("group")
        .order_by("start_at")
    )


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT per meeting (index lookups), not a join + GROUP BY over every
    invitation of every visible meeting."""
    return Coalesce(
        Subquery(queryset.order_by().values("meeting").annotate(n=Count("*")).values("n")),
        0,
    )


def meeting_summaries(*, queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with RSVP counts and their group's current chair seat (`chair_seat__…`),
    for reading with `.values()`: one query for a whole page."""
    invitations = Invitation.objects.filter(meeting=OuterRef("pk"))
    return queryset.annotate(
        invited_count=_count(invitations),
        accepted_count=_count(invitations.filter(response=Invitation.Response.ACCEPTED)),
        # At most one current chair per group (a unique constraint), so this join
        # never multiplies rows.
        chair_seat=FilteredRelation(
            "group__memberships",
            condition=Q(group__memberships__role="chair", group__memberships__end_on__isnull=True),
        ),
    )
