"""The dashboard: upcoming meetings, invitations awaiting answers and overdue action
points; the notices app adds the notices that failed (a template tag).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from meetings.models import Invitation, Meeting
from meetings.permissions import action_points_visible_to, meetings_managed_by, meetings_visible_to
from meetings.selectors import (
    action_point_list,
    action_points_overdue,
    meeting_list,
    meetings_awaiting_answers,
    meetings_upcoming,
)
from members.permissions import (
    organisations_acted_for_by,
    user_person,
)


@login_required
def dashboard(request):
    user = request.user
    now = timezone.now()
    upcoming = meeting_list(queryset=meetings_upcoming(queryset=meetings_visible_to(user), now=now))
    open_invitations = Invitation.objects.filter(
        response=Invitation.Response.PENDING,
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__end_at__gte=now,
    )
    # The user's own answers to give: as the invitee, or for their organisation.
    mine = (
        open_invitations.filter(
            Q(person__user=user) | Q(organisation__in=organisations_acted_for_by(user))
        )
        .select_related("meeting", "meeting__group", "person", "organisation")
        .order_by("meeting__start_at", "person__full_name")
    )
    # For those who run meetings: how many answers each upcoming meeting still waits for.
    waiting_for = meetings_awaiting_answers(
        queryset=meetings_upcoming(queryset=meetings_managed_by(user), now=now)
    )
    overdue = action_points_overdue(
        queryset=action_point_list(queryset=action_points_visible_to(user))
    ).order_by("due_on", "pk")
    return render(
        request,
        "meetings/dashboard.html",
        {
            "nav": "dashboard",
            "upcoming": upcoming[:10],
            "mine": mine[:15],
            "waiting_for": waiting_for[:10],
            "overdue": overdue[:15],
            "overdue_count": overdue.count(),
            "person": user_person(user),
        },
    )
