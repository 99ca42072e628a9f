"""The dashboard: upcoming meetings, invitations awaiting answers and overdue action
points; the notices app adds the notices that failed (a template tag).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from meetings.permissions import (
    action_points_visible_to,
    invitations_unanswered_by,
    meetings_managed_by,
    meetings_visible_to,
)
from meetings.selectors import (
    NotOver,
    action_point_table,
    action_points_overdue,
    invitations_awaiting_answer,
    meeting_list,
    meetings_awaiting_answers,
    meetings_listed_briefly,
    meetings_upcoming,
)
from members.permissions import (
    user_person,
)

# The most overdue action points the dashboard's badge counts exactly.
OVERDUE_COUNTED = 100


@login_required
def dashboard(request):
    user = request.user
    # Three lists ask for the meetings not over: the bound (a query) is read once for all.
    not_over = NotOver.at(timezone.now())
    visible = meetings_visible_to(user)
    upcoming = meetings_listed_briefly(
        queryset=meeting_list(queryset=meetings_upcoming(queryset=visible, not_over=not_over))
    )
    mine = invitations_awaiting_answer(queryset=invitations_unanswered_by(user), not_over=not_over)
    # For those who run meetings: how many answers each upcoming meeting still waits for.
    waiting_for = meetings_listed_briefly(
        queryset=meetings_awaiting_answers(
            queryset=meetings_upcoming(queryset=meetings_managed_by(user), not_over=not_over)
        )
    )
    overdue = action_points_overdue(
        queryset=action_point_table(queryset=action_points_visible_to(user))
    ).order_by("due_on", "pk")
    # Counted in the order of the (status, due date) index, which the database then walks
    # from the oldest open one and stops at the bound; unordered, PostgreSQL took the
    # open ones due before today for a twentieth of all action points and merged the
    # whole table with the meetings instead (4.7 ms to 1 ms at 10x data).
    overdue_count = overdue.order_by("status", "due_on").values("pk")[: OVERDUE_COUNTED + 1].count()
    return render(
        request,
        "meetings/dashboard.html",
        {
            "nav": "dashboard",
            "upcoming": upcoming[:10],
            "mine": mine[:15],
            "waiting_for": waiting_for[:10],
            "overdue": overdue[:15],
            # Counted up to OVERDUE_COUNTED and shown as "100+" beyond, so the badge
            # costs the same however many action points are overdue.
            "overdue_count": min(overdue_count, OVERDUE_COUNTED),
            "overdue_more": overdue_count > OVERDUE_COUNTED,
            "person": user_person(user),
        },
    )
