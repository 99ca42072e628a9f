"""A group's meeting series: create one, its page with its meetings, schedule it
(after a preview of who is invited and what they get), change it (with which meetings
the change reaches), cancel it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groups.models import CoordinationGroup
from groups.permissions import groups_managed_by
from groups.selectors import terms_of_reference
from meetings import forms, services
from meetings.models import Meeting, MeetingSeries
from meetings.permissions import series_get_for_user, user_can_manage_series
from meetings.selectors import (
    series_change_preview,
    series_is_announced,
    series_list,
    series_schedule_preview,
)
from meetings.series import series_rule_description
from meetings.views.shared import repeat_submit
from portal.audit import Actor
from portal.pages import form_token_claim, form_token_new


def series_url(series: MeetingSeries) -> str:
    return reverse("series-detail", args=[series.pk])


def _manageable_groups(user: Actor) -> QuerySet[CoordinationGroup]:
    return groups_managed_by(user).filter(status=CoordinationGroup.Status.ACTIVE).order_by("name")


def _group_asked(groups: QuerySet[CoordinationGroup], raw: str | None) -> CoordinationGroup | None:
    if not raw or not raw.isdigit():
        return None
    return groups.filter(pk=int(raw)).first()


@login_required
def series_create_page(request):
    user = request.user
    groups = _manageable_groups(user)
    if not groups.exists():
        raise PermissionDenied(_("Only the secretariat and the groups' chairs create meetings."))
    asked = _group_asked(groups, request.GET.get("group"))
    terms = terms_of_reference(asked) if asked is not None else None
    if request.method == "POST":
        form = forms.SeriesForm(request.POST, groups=groups)
        if form.is_valid():
            if not form_token_claim(request):
                return repeat_submit(request, reverse("meeting-list"))
            try:
                series = services.series_create(
                    group=form.cleaned_data["group"], by=user, **form.series_fields()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _(
                        "The series is saved, its first meetings as drafts. Schedule it to "
                        "invite the group."
                    ),
                )
                return redirect(series_url(series))
    else:
        form = forms.SeriesForm(
            groups=groups, group_terms=terms, initial={"group": asked.pk if asked else None}
        )
    return render(
        request, "meetings/series_form.html", {"nav": "meetings", "form": form, "series": None}
    )


def _loaded(user: Actor, series_id: int) -> MeetingSeries:
    series = series_get_for_user(user, series_id)
    return series_list(queryset=MeetingSeries.objects.filter(pk=series.pk), user=user).get()


@login_required
@require_GET
def series_detail_page(request, series_id: int):
    user = request.user
    series = _loaded(user, series_id)
    occurrences = list(series.occurrences.all())
    can_manage = user_can_manage_series(user, series)
    is_active = series.status == MeetingSeries.Status.ACTIVE
    has_drafts = any(occurrence.status == Meeting.Status.DRAFT for occurrence in occurrences)
    return render(
        request,
        "meetings/series_detail.html",
        {
            "nav": "meetings",
            "series": series,
            "rule": series_rule_description(series),
            "occurrences": occurrences,
            "can_manage": can_manage,
            "can_change": can_manage and is_active,
            "can_schedule": can_manage and is_active and has_drafts,
        },
    )


@login_required
@require_GET
def series_schedule_preview_page(request, series_id: int):
    """Before the series is scheduled: its meetings to be scheduled, who will be
    invited, which member organisations nobody reaches, who has no e-mail address, and
    the series' invitation in each language it goes out in. The page's button posts to
    series-schedule, the one place it is sent from; nothing is sent before that."""
    series = series_get_for_user(request.user, series_id, manage=True)
    if series.status != MeetingSeries.Status.ACTIVE:
        messages.error(request, _("A cancelled series cannot be scheduled."))
        return redirect(series_url(series))
    preview = series_schedule_preview(series)
    if not preview.occurrences:
        messages.error(request, _("The series has no meeting in draft still to come to schedule."))
        return redirect(series_url(series))
    return render(
        request,
        "meetings/series_schedule_preview.html",
        {
            "nav": "meetings",
            "series": series,
            "preview": preview,
            "form_token": form_token_new(),
        },
    )


@login_required
@require_POST
def series_schedule_page(request, series_id: int):
    series = series_get_for_user(request.user, series_id, manage=True)
    form = forms.SeriesScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(series_url(series))
    if not form_token_claim(request):
        return repeat_submit(request, series_url(series))
    try:
        services.series_schedule(
            series=series,
            by=request.user,
            short_notice_reason=form.cleaned_data["short_notice_reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The series is scheduled; each invitee gets one invitation to the whole series."),
        )
    return redirect(series_url(series))


@login_required
def series_edit_page(request, series_id: int):
    series = series_get_for_user(request.user, series_id, manage=True)
    if series.status != MeetingSeries.Status.ACTIVE:
        messages.error(request, _("A cancelled series cannot be changed."))
        return redirect(series_url(series))
    if request.method == "POST":
        form = forms.SeriesEditForm(request.POST, series=series)
        if form.is_valid():
            try:
                services.series_update(
                    series=series,
                    by=request.user,
                    short_notice_reason=form.cleaned_data["short_notice_reason"],
                    **form.series_fields(),
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The series and its meetings to come are updated."))
                return redirect(series_url(series))
    else:
        form = forms.SeriesEditForm(series=series)
    return render(
        request,
        "meetings/series_form.html",
        {
            "nav": "meetings",
            "form": form,
            "series": series,
            "preview": series_change_preview(series),
            "announced": series_is_announced(series),
        },
    )


@login_required
def series_cancel_page(request, series_id: int):
    series = series_get_for_user(request.user, series_id, manage=True)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, series_url(series))
        try:
            services.series_cancel(
                series=series, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The series is cancelled with its meetings to come."))
            return redirect(series_url(series))
    return render(
        request,
        "meetings/series_cancel.html",
        {"nav": "meetings", "series": series, "form": form},
    )
