"""The follow-up panels of a meeting's page (meetings.follow_up): what its portal items
carry (the minutes to adopt, the open action points, a sub-group's report) and the
reports proposed for its agenda; and the adoption line of earlier minutes."""

from typing import Any

from django import template
from django.utils import timezone

from meetings import follow_up
from meetings.forms import ActionPointReviewForm, MinutesAdoptionForm
from meetings.models import (
    ActionPointReview,
    AgendaItemKind,
    Meeting,
    Minutes,
    MinutesVersion,
    ReportBack,
)
from meetings.permissions import (
    action_points_visible_to,
    decisions_visible_to,
    meetings_visible_to,
    minutes_of_meeting_for_user,
    report_backs_visible_to,
)
from meetings.selectors import (
    action_point_carried_to,
    action_point_list,
    action_points_for_review,
)

register = template.Library()

OPEN_STATUSES = (Meeting.Status.DRAFT, Meeting.Status.SCHEDULED)


def _carried(user, source: Meeting) -> dict[str, Any]:
    """What a sub-group's meeting reports: its decisions and action points, as the
    reader may see them."""
    return {
        "decisions": list(decisions_visible_to(user).filter(meeting=source).order_by("number")),
        "action_points": list(
            action_point_list(queryset=action_points_visible_to(user).filter(meeting=source))
        ),
    }


def _adoption(user, meeting: Meeting, item, source: Meeting | None, can_manage: bool) -> dict:
    minutes = minutes_of_meeting_for_user(user, source) if source is not None else None
    adopted_here = minutes is not None and minutes.adopted_at_id == meeting.pk
    form = None
    if (
        can_manage
        and minutes is not None
        and minutes.adopted_at_id is None
        and meeting.status == Meeting.Status.HELD
    ):
        decisions = list(decisions_visible_to(user).filter(meeting=source).order_by("number"))
        form = MinutesAdoptionForm(initial={"corrections": minutes.body}, decisions=decisions)
    return {"minutes": minutes, "adopted_here": adopted_here, "form": form}


@register.inclusion_tag("meetings/_follow_up.html", takes_context=True)
def follow_up_panels(context, meeting: Meeting, can_manage: bool) -> dict:
    """One panel per portal item of the agenda the reader sees, in agenda order, then
    (for those who manage an open meeting) the reports proposed for it. A meeting with
    no portal item asks nothing more of the database."""
    user = context["request"].user
    items = [item for item in meeting.agenda_items.all() if item.kind != AgendaItemKind.REGULAR]
    source_ids = {item.source_meeting_id for item in items if item.source_meeting_id}
    sources = meetings_visible_to(user).select_related("group").in_bulk(source_ids)
    panels = []
    for item in items:
        source = sources.get(item.source_meeting_id) if item.source_meeting_id else None
        panel: dict[str, Any] = {"item": item, "source": source}
        if item.kind == AgendaItemKind.MINUTES_ADOPTION:
            panel.update(_adoption(user, meeting, item, source, can_manage))
        elif item.kind == AgendaItemKind.ACTION_REVIEW:
            panel["action_points"] = list(action_points_for_review(meeting, user))
        elif item.kind == AgendaItemKind.REPORT_BACK and source is not None:
            panel.update(_carried(user, source))
        panels.append(panel)
    proposals = []
    if can_manage and meeting.status in OPEN_STATUSES:
        for report_back in (
            report_backs_visible_to(user)
            .filter(meeting=meeting, status=ReportBack.Status.PROPOSED)
            .select_related("source_meeting__group")
            .order_by("created_at", "pk")
        ):
            proposals.append(
                {"report_back": report_back, **_carried(user, report_back.source_meeting)}
            )
    return {
        "meeting": meeting,
        "panels": panels,
        "proposals": proposals,
        "can_manage": can_manage,
        "may_review": can_manage
        and meeting.status != Meeting.Status.CANCELLED
        and follow_up.meeting_has_begun(meeting),
        "review_waits": can_manage
        and meeting.status != Meeting.Status.CANCELLED
        and not follow_up.meeting_has_begun(meeting),
        "review_form": ActionPointReviewForm(),
        "today": timezone.localdate(),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("meetings/_minutes_adoption.html")
def minutes_adoption(minutes: Minutes | None) -> dict:
    """ "Adopted at <meeting>, <date>", with corrections if a later meeting made some."""
    if minutes is None or minutes.adopted_at_id is None:
        return {"adopted": False}
    corrected = minutes.versions.filter(reason=MinutesVersion.Reason.CORRECTED).last()
    return {
        "adopted": True,
        "minutes": minutes,
        "adopted_at": minutes.adopted_at,
        "corrected": corrected,
    }


@register.inclusion_tag("meetings/_action_point_history.html", takes_context=True)
def action_point_history(context, action_point) -> dict:
    """What each meeting said of the action point, and the later meetings whose review
    listed it ("carried over to"). `action_point` has its meeting joined."""
    user = context["request"].user
    return {
        "reviews": list(
            ActionPointReview.objects.filter(action_point=action_point)
            .select_related("meeting", "by")
            .order_by("at", "pk")
        ),
        "carried_to": list(action_point_carried_to(action_point, user)),
    }
