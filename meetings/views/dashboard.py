"""The dashboard: upcoming meetings, invitations awaiting answers, overdue action
points and the notices that failed, with their resend button.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings import services
from meetings.models import Invitation, Meeting, Notice
from meetings.permissions import (
    action_points_visible_to,
    meetings_managed_by,
    meetings_visible_to,
    notice_get_for_user,
    notices_visible_to,
)
from meetings.selectors import (
    action_point_list,
    action_points_overdue,
    meeting_list,
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
    waiting_for = (
        meeting_list(queryset=meetings_upcoming(queryset=meetings_managed_by(user), now=now))
        .annotate(
            pending_count=Count(
                "invitations",
                filter=Q(invitations__response=Invitation.Response.PENDING),
                distinct=True,
            )
        )
        .filter(pending_count__gt=0)
    )
    overdue = action_points_overdue(
        queryset=action_point_list(queryset=action_points_visible_to(user))
    ).order_by("due_on", "pk")
    failed_notices = (
        notices_visible_to(user)
        .filter(status=Notice.Status.FAILED)
        .select_related("person", "endpoint", "meeting", "action_point")
        .order_by("-created_at", "-pk")
    )
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
            "failed_notices": failed_notices[:10],
            "failed_count": failed_notices.count(),
            "may_resend": meetings_managed_by(user).exists(),
            "person": user_person(user),
        },
    )


@login_required
@require_POST
def notice_resend_page(request, pk: int):
    """Send a failed notice again (secretariat and the meeting's chairs)."""
    notice = notice_get_for_user(request.user, pk, resend=True)
    try:
        services.notice_resend(notice=notice, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The notice is being sent again."))
    return redirect("dashboard")
