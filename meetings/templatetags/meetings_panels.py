"""The meetings' panels that other apps' pages show, so those pages need not import the
meetings app: a group's page shows its meetings and open action points with a tag."""

from django import template

from groups.models import CoordinationGroup
from meetings.models import ActionPoint
from meetings.permissions import action_points_visible_to, meetings_visible_to
from meetings.selectors import (
    action_point_list,
    action_points_of_group_tree,
    meeting_list,
    meetings_of_group_tree,
)

register = template.Library()


@register.inclusion_tag("meetings/_group_panels.html", takes_context=True)
def group_meetings_panels(context, group: CoordinationGroup) -> dict:
    """The group's latest meetings and open action points, its sub-groups' included
    (as the meetings list that "All the group's meetings" opens)."""
    user = context["request"].user
    meetings = meetings_of_group_tree(queryset=meetings_visible_to(user), group_id=group.pk)
    open_points = action_points_of_group_tree(
        queryset=action_points_visible_to(user).filter(status=ActionPoint.Status.OPEN),
        group_id=group.pk,
    )
    return {
        "group": group,
        "meetings": meeting_list(queryset=meetings).order_by("-start_at", "pk")[:10],
        "action_points": action_point_list(queryset=open_points).order_by("due_on", "pk")[:20],
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
