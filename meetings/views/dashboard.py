"""The dashboard: upcoming meetings, invitations awaiting answers and overdue action
points; the notices app adds the notices that failed (a template tag).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from meetings.permissions import (
    action_points_visible_to,
    invitations_to_answer_by,
    meetings_managed_by,
    meetings_visible_to,
)
from meetings.selectors import (
    action_point_list,
    action_points_overdue,
    invitations_awaiting_answer,
    meeting_list,
    meetings_awaiting_answers,
    meetings_upcoming,
)
from members.permissions import (
    user_person,
)


@login_required
def dashboard(request):
    user = request.user
    now = timezone.now()
    upcoming = meeting_list(queryset=meetings_upcoming(queryset=meetings_visible_to(user), now=now))
    mine = invitations_awaiting_answer(queryset=invitations_to_answer_by(user), now=now)
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
