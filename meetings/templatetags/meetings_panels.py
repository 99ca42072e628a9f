"""The meetings' panels that other apps' pages show, so those pages need not import the
meetings app: a group's page shows its meetings and open action points with a tag."""

from django import template
from django.utils import timezone

from groups.models import CoordinationGroup
from meetings.models import ActionPoint, Meeting, MeetingSeries
from meetings.permissions import (
    action_points_visible_to,
    meetings_visible_to,
    series_visible_to,
    user_may_call_short_notice,
)
from meetings.selectors import (
    action_point_table,
    action_points_of_group_tree,
    meetings_latest_of_group_tree,
    short_notice_of,
)

register = template.Library()


@register.inclusion_tag("meetings/_group_panels.html", takes_context=True)
def group_meetings_panels(context, group: CoordinationGroup) -> dict:
    """The group's latest meetings and open action points, its sub-groups' included
    (as the meetings list that "All the group's meetings" opens), and its own active
    meeting series."""
    user = context["request"].user
    open_points = action_points_of_group_tree(
        queryset=action_points_visible_to(user).filter(status=ActionPoint.Status.OPEN),
        group_id=group.pk,
    )
    return {
        "group": group,
        # The panel names each meeting and its time; it shows no answer counts, so it
        # leaves meeting_list's count subqueries out (the list page shows them).
        "meetings": meetings_latest_of_group_tree(
            queryset=meetings_visible_to(user), group_id=group.pk, count=10
        ),
        "action_points": action_point_table(queryset=open_points).order_by("due_on", "pk")[:20],
        "series": series_visible_to(user)
        .filter(group=group, status=MeetingSeries.Status.ACTIVE)
        .order_by("title", "pk"),
        "today": timezone.localdate(),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("meetings/_short_notice_field.html", takes_context=True)
def short_notice_field(context, meeting: Meeting) -> dict:
    """Inside a form that schedules `meeting`: when it would be called inside its
    group's notice period, the rule and, for those who may override it, the reason
    for short notice to give (meetings.services.notice_period_check)."""
    user = context["request"].user
    short = short_notice_of(group=meeting.group, start_at=meeting.start_at)
    return {
        "short": short,
        "may_override": short is not None and user_may_call_short_notice(user, meeting.group),
    }
