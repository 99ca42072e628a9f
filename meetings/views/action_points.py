"""Action points: raised in a meeting, reported on by their owners, listed across
meetings with filters, exported as CSV.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groups.permissions import (
    groups_visible_to,
    organisations_offered_to,
    people_offered_to,
)
from groups.selectors import group_choices
from meetings import forms, services
from meetings.models import ActionPoint
from meetings.permissions import (
    action_point_get_for_user,
    action_points_reportable_by,
    action_points_visible_to,
    meeting_get_for_user,
    user_can_manage_meeting,
    user_can_report_on_action_point,
)
from meetings.selectors import (
    action_point_filter,
    action_point_list,
    action_points_listed,
)
from meetings.views.shared import detail_url, repeat_submit
from portal.exports import csv_response
from portal.pages import (
    form_token_claim,
    local_name,
    paginate,
    query_without_page,
)


@login_required
def action_point_create_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.ActionPointCreateForm(
        request.POST or None,
        meeting=meeting,
        organisations=organisations_offered_to(request.user),
        people=people_offered_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, detail_url(meeting, "action-points"))
        data = form.cleaned_data
        try:
            services.action_point_create(
                meeting=meeting,
                title=data["title"],
                owner_organisation=data["owner_organisation"],
                owner_person=data["owner_person"],
                due_on=data["due_on"],
                description=data["description"],
                decision=data["decision"],
                by=request.user,
                **forms.confidentiality_values(form),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The action point is recorded."))
            return redirect(detail_url(meeting, "action-points"))
    return render(
        request,
        "meetings/action_point_form.html",
        {"nav": "actions", "meeting": meeting, "form": form, "action_point": None},
    )


@login_required
def action_point_page(request, action_point_id: int):
    """An action point: the owner's report (status, progress) and the managers' edit."""
    user = request.user
    action_point = action_point_get_for_user(user, action_point_id)
    action_point = (
        action_point_list(queryset=ActionPoint.objects.filter(pk=action_point.pk))
        .select_related("decision")
        .get()
    )
    can_manage = user_can_manage_meeting(user, action_point.meeting)
    can_report = user_can_report_on_action_point(user, action_point)
    report_form = forms.ActionPointReportForm(
        initial={"status": action_point.status, "progress": action_point.progress}
    )
    organisations, people = organisations_offered_to(user), people_offered_to(user)
    edit_form = (
        forms.ActionPointForm(action_point=action_point, organisations=organisations, people=people)
        if can_manage
        else None
    )
    if request.method == "POST":
        if request.POST.get("part") == "edit":
            action_point_get_for_user(user, action_point.pk, manage=True)
            edit_form = forms.ActionPointForm(
                request.POST, organisations=organisations, people=people
            )
            if edit_form.is_valid():
                try:
                    services.action_point_update(
                        action_point=action_point,
                        by=user,
                        **{k: v for k, v in edit_form.cleaned_data.items() if k != "form_token"},
                    )
                except ValidationError as error:
                    edit_form.add_service_error(error)
                else:
                    messages.success(request, _("The action point is updated."))
                    return redirect("action-point-detail", action_point.pk)
        else:
            action_point_get_for_user(user, action_point.pk, report=True)
            report_form = forms.ActionPointReportForm(request.POST)
            if report_form.is_valid():
                try:
                    services.action_point_report(
                        action_point=action_point,
                        status=report_form.cleaned_data["status"],
                        progress=report_form.cleaned_data["progress"],
                        by=user,
                    )
                except ValidationError as error:
                    report_form.add_service_error(error)
                else:
                    messages.success(request, _("Your report is saved."))
                    return redirect("action-point-detail", action_point.pk)
    return render(
        request,
        "meetings/action_point_detail.html",
        {
            "nav": "actions",
            "action_point": action_point,
            "can_manage": can_manage,
            "can_report": can_report,
            "report_form": report_form if can_report else None,
            "edit_form": edit_form,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def action_point_done_page(request, action_point_id: int):
    """The list's one-click "mark done"."""
    action_point = action_point_get_for_user(request.user, action_point_id, report=True)
    try:
        services.action_point_report(
            action_point=action_point, status=ActionPoint.Status.DONE, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(title)s” is done.") % {"title": action_point.title})
    return redirect(request.POST.get("next") or reverse("action-point-list"))


def _filtered_action_points(request):
    user = request.user
    visible = action_points_visible_to(user)
    filters = forms.ActionPointFilterForm(
        request.GET or None,
        groups=group_choices(queryset=groups_visible_to(user)),
    )
    action_points = action_point_list(queryset=visible)
    if filters.is_valid():
        return filters, action_point_filter(queryset=action_points, **filters.cleaned_data)
    return filters, action_point_filter(queryset=action_points)


@login_required
@require_GET
def action_point_list_page(request):
    filters, action_points = _filtered_action_points(request)
    page = paginate(request, action_points_listed(queryset=action_points))
    reportable = action_points_reportable_by(request.user, page)
    for action_point in page:
        action_point.reportable = action_point.pk in reportable
    return render(
        request,
        "meetings/action_point_list.html",
        {
            "nav": "actions",
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def action_point_csv(request):
    _filters, action_points = _filtered_action_points(request)
    header = [
        _("Action"),
        _("Group"),
        _("Meeting"),
        _("Meeting reference"),
        _("Owner organisation"),
        _("Owner"),
        _("Due on"),
        _("Status"),
        _("Progress"),
    ]
    rows = (
        [
            action_point.title,
            local_name(action_point.meeting.group),
            action_point.meeting.title,
            action_point.meeting.reference,
            local_name(action_point.owner_organisation),
            local_name(action_point.owner_person),
            action_point.due_on.isoformat(),
            action_point.get_status_display(),
            action_point.progress,
        ]
        for action_point in action_points.iterator(chunk_size=500)
    )
    return csv_response("action-points.csv", header, rows)
