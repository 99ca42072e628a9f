"""Pages of the meetings app: the dashboard, meetings and everything that hangs off
them, action points, the month calendar, exports, and the personal calendar feed.

Every page reads through the access funnels (404 for hidden, 403 for refused) and
writes through meetings.services; a service's ValidationError goes back to the form.
"""

import calendar as month_calendar
import csv
import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.models import CoordinationGroup
from groups.permissions import groups_managed_by, groups_visible_to
from meetings import forms, services
from meetings.calendar import feed_calendar
from meetings.messages import rsvp_read
from meetings.models import ActionPoint, Attendance, Invitation, Meeting, Minutes, Notice
from meetings.pack import meeting_pack_pdf as meeting_pack_pdf_bytes
from meetings.permissions import (
    action_point_get_for_user,
    action_points_visible_to,
    invitation_get_for_user,
    meeting_get_for_user,
    meetings_managed_by,
    meetings_visible_to,
    notice_get_for_user,
    notices_visible_to,
    user_can_manage_meeting,
)
from meetings.selectors import (
    action_point_list,
    action_points_carried_into,
    action_points_overdue,
    meeting_detail,
    meeting_list,
    meetings_in_feed_of,
    meetings_upcoming,
)
from members.models import Person
from members.permissions import (
    organisations_acted_for_by,
    organisations_visible_to,
    people_visible_to,
    user_person,
)
from members.services import person_calendar_token_reset
from portal.pages import form_token_claim, paginate, query_without_page

# --- Shared bits ----------------------------------------------------------------------


def _repeat_submit(request, url: str):
    messages.info(request, _("That form was already sent; nothing was changed twice."))
    return redirect(url)


def _detail_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("meeting-detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _acted_for_ids(user) -> set[int]:
    return set(organisations_acted_for_by(user).values_list("pk", flat=True))


def _loaded_meeting(user, meeting_id) -> Meeting:
    """The meeting through the funnel, then with its agenda, invitations and register."""
    meeting = meeting_get_for_user(user, meeting_id)
    return meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()


# --- Dashboard --------------------------------------------------------------------------


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


# --- Meetings ----------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list_page(request):
    user = request.user
    groups = groups_visible_to(user).order_by("name")
    filters = forms.MeetingFilterForm(request.GET or None, groups=groups)
    meetings = meetings_visible_to(user)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["group"]:
            meetings = meetings.filter(group=data["group"])
        if data["status"]:
            meetings = meetings.filter(status=data["status"])
        if data["when"] == "upcoming":
            meetings = meetings.filter(end_at__gte=timezone.now()).order_by("start_at")
        elif data["when"] == "past":
            meetings = meetings.filter(end_at__lt=timezone.now())
    if not meetings.query.order_by:
        meetings = meetings.order_by("-start_at", "pk")
    page = paginate(request, meeting_list(queryset=meetings))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "nav": "meetings",
            "filters": filters,
            "page": page,
            "query": query_without_page(request),
            "can_create": groups_managed_by(user).exists(),
        },
    )


def _manageable_groups(user):
    return groups_managed_by(user).filter(status=CoordinationGroup.Status.ACTIVE).order_by("name")


@login_required
def meeting_create_page(request):
    user = request.user
    groups = _manageable_groups(user)
    if not groups.exists():
        raise PermissionDenied(_("Only the secretariat and the groups' chairs create meetings."))
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, groups=groups)
        if form.is_valid():
            if not form_token_claim(request):
                return _repeat_submit(request, reverse("meeting-list"))
            try:
                meeting = services.meeting_create(
                    group=form.cleaned_data["group"], by=user, **form.meeting_fields()
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The meeting is saved as a draft."))
                return redirect(_detail_url(meeting))
    else:
        form = forms.MeetingForm(groups=groups, initial={"group": request.GET.get("group")})
    return render(
        request, "meetings/meeting_form.html", {"nav": "meetings", "form": form, "meeting": None}
    )


@login_required
def meeting_edit_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.meeting_update(meeting=meeting, by=request.user, **form.meeting_fields())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The meeting is updated."))
                return redirect(_detail_url(meeting))
    else:
        form = forms.MeetingForm(meeting=meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"nav": "meetings", "form": form, "meeting": meeting},
    )


@login_required
@require_GET
def meeting_detail_page(request, meeting_id: int):
    user = request.user
    meeting = _loaded_meeting(user, meeting_id)
    can_manage = user_can_manage_meeting(user, meeting)
    acted_for = _acted_for_ids(user)
    invitations = list(meeting.invitations.all())
    for invitation in invitations:
        invitation.answerable = can_manage or (
            invitation.person.user_id == user.pk or invitation.organisation_id in acted_for
        )
    action_points = list(meeting.action_points.all())
    for action_point in action_points:
        action_point.reportable = can_manage or action_point.owner_organisation_id in acted_for
    minutes = getattr(meeting, "minutes", None)
    if minutes is not None and not can_manage and minutes.status != Minutes.Status.PUBLISHED:
        minutes = None
    people = people_visible_to(user).order_by("full_name")
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "can_manage": can_manage,
            "invitations": invitations,
            "rsvp": _rsvp_counts(invitations),
            "action_points": action_points,
            "carried": action_points_carried_into(meeting)[:20] if can_manage else [],
            "minutes": minutes,
            "agenda_form": forms.AgendaItemForm(people=people) if can_manage else None,
            "agenda_open": meeting.status in services.OPEN_STATUSES,
        },
    )


def _rsvp_counts(invitations) -> list[tuple[str, str, int]]:
    counts = {value: 0 for value in Invitation.Response.values}
    for invitation in invitations:
        counts[invitation.response] += 1
    return [(value, label, counts[value]) for value, label in Invitation.Response.choices]


def _status_change(request, meeting_id: int, change, done_message: str | Callable[[Meeting], str]):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    if not form_token_claim(request):
        return _repeat_submit(request, _detail_url(meeting))
    try:
        changed = change(meeting=meeting, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message(changed) if callable(done_message) else done_message)
    return redirect(_detail_url(meeting))


def _scheduled_message(meeting: Meeting) -> str:
    if meeting.invitations.exists():
        return _("The meeting is scheduled; the invitations are being sent.")
    # Not refused: invitees added to a scheduled meeting get their invitation at once.
    return _(
        "The meeting is scheduled, but nobody is invited yet. "
        "Everyone you invite now gets the invitation straight away."
    )


@login_required
@require_POST
def meeting_schedule_page(request, meeting_id: int):
    return _status_change(
        request,
        meeting_id,
        services.meeting_schedule,
        _scheduled_message,
    )


@login_required
@require_POST
def meeting_held_page(request, meeting_id: int):
    return _status_change(
        request, meeting_id, services.meeting_mark_held, _("The meeting is marked as held.")
    )


@login_required
def meeting_cancel_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return _repeat_submit(request, _detail_url(meeting))
        try:
            services.meeting_cancel(
                meeting=meeting, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The meeting is cancelled."))
            return redirect(_detail_url(meeting))
    return render(
        request,
        "meetings/meeting_cancel.html",
        {"nav": "meetings", "meeting": meeting, "form": form},
    )


# --- Agenda builder (htmx: each change answers with the agenda fragment) -----------------


def _agenda_response(request, meeting: Meeting, form=None):
    if not request.htmx:
        return redirect(_detail_url(meeting, "agenda"))
    meeting = meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()
    people = people_visible_to(request.user).order_by("full_name")
    return render(
        request,
        "meetings/_agenda.html",
        {
            "meeting": meeting,
            "can_manage": True,
            "agenda_open": meeting.status in services.OPEN_STATUSES,
            "agenda_form": form or forms.AgendaItemForm(people=people),
        },
    )


@login_required
@require_POST
def agenda_item_add_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    people = people_visible_to(request.user).order_by("full_name")
    form = forms.AgendaItemForm(request.POST, people=people)
    if form.is_valid():
        if not form_token_claim(request):
            return _agenda_response(request, meeting)
        try:
            services.agenda_item_add(meeting=meeting, by=request.user, **_agenda_fields(form))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _agenda_response(request, meeting)
    if not request.htmx:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return _agenda_response(request, meeting, form=form)


def _agenda_fields(form) -> dict:
    return {
        "title": form.cleaned_data["title"],
        "duration_minutes": form.cleaned_data["duration_minutes"],
        "presenter": form.cleaned_data["presenter"],
    }


def _agenda_item(meeting: Meeting, item_id: int):
    item = meeting.agenda_items.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such agenda item.")
    return item


@login_required
@require_POST
def agenda_item_remove_page(request, meeting_id: int, item_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    try:
        services.agenda_item_remove(item=_agenda_item(meeting, item_id), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_item_move_page(request, meeting_id: int, item_id: int):
    """Move an item one place up or down: buttons work by keyboard, unlike dragging."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item = _agenda_item(meeting, item_id)
    order = list(meeting.agenda_items.order_by("position").values_list("pk", flat=True))
    index = order.index(item.pk)
    target = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        try:
            services.agenda_reorder(meeting=meeting, item_ids=order, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _agenda_response(request, meeting)


# --- Invitations --------------------------------------------------------------------------


@login_required
def invitations_page(request, meeting_id: int):
    user = request.user
    meeting = _loaded_meeting(user, meeting_id)
    can_manage = user_can_manage_meeting(user, meeting)
    invited = {invitation.person_id for invitation in meeting.invitations.all()}
    people = people_visible_to(user).exclude(pk__in=invited).order_by("full_name")
    form = forms.InviteeForm(people=people)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat and the group's chairs invite people."))
        form = forms.InviteeForm(request.POST, people=people)
        if form.is_valid():
            if not form_token_claim(request):
                return _repeat_submit(request, reverse("meeting-invitations", args=[meeting.pk]))
            try:
                invitation = services.invitation_create(
                    meeting=meeting, person=form.cleaned_data["person"], by=user
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request, _("%(person)s is invited.") % {"person": invitation.person}
                )
                return redirect("meeting-invitations", meeting.pk)
    acted_for = _acted_for_ids(user)
    invitations = list(meeting.invitations.all())
    for invitation in invitations:
        invitation.answerable = can_manage or (
            invitation.person.user_id == user.pk or invitation.organisation_id in acted_for
        )
    return render(
        request,
        "meetings/invitations.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "invitations": invitations,
            "rsvp": _rsvp_counts(invitations),
            "can_manage": can_manage,
            "form": form if can_manage else None,
            "invite_open": meeting.status in services.OPEN_STATUSES,
        },
    )


@login_required
@require_POST
def invitations_for_group_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    url = reverse("meeting-invitations", args=[meeting.pk])
    if not form_token_claim(request):
        return _repeat_submit(request, url)
    try:
        created = services.invitations_create_for_group(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(count)s representatives of the group are invited.") % {"count": len(created)},
        )
    return redirect(url)


@login_required
def invitation_respond_page(request, invitation_id: int):
    invitation = invitation_get_for_user(request.user, invitation_id, answer=True)
    form = forms.RespondForm(
        request.POST or None,
        invitation=invitation,
        initial={
            "response": invitation.response
            if invitation.response != Invitation.Response.PENDING
            else None,
            "alternate": invitation.alternate_id,
            "note": invitation.response_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_respond(
                invitation=invitation,
                response=form.cleaned_data["response"],
                alternate=form.cleaned_data["alternate"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your answer is recorded. Thank you."))
            return redirect(_detail_url(invitation.meeting))
    return render(
        request,
        "meetings/invitation_respond.html",
        {"nav": "meetings", "invitation": invitation, "meeting": invitation.meeting, "form": form},
    )


# --- Attendance register --------------------------------------------------------------------


def _register_rows(meeting: Meeting) -> list[dict]:
    """One row per invitee and per walk-in, grouped and sorted by organisation."""
    present = {line.person_id: line for line in meeting.attendance.all()}
    rows = []
    for invitation in meeting.invitations.all():
        rows.append(
            {
                "person": invitation.person,
                "organisation": invitation.organisation,
                "invitation": invitation,
                "attendance": present.pop(invitation.person_id, None),
            }
        )
    for line in present.values():
        rows.append(
            {
                "person": line.person,
                "organisation": line.organisation,
                "invitation": None,
                "attendance": line,
            }
        )
    rows.sort(key=lambda row: (str(row["organisation"] or "~"), row["person"].full_name))
    return rows


@login_required
def attendance_page(request, meeting_id: int):
    user = request.user
    meeting = _loaded_meeting(user, meeting_id)
    can_manage = user_can_manage_meeting(user, meeting)
    in_register = {line.person_id for line in meeting.attendance.all()}
    people = people_visible_to(user).exclude(pk__in=in_register).order_by("full_name")
    form = forms.AttendanceAddForm(people=people)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                _("Only the secretariat and the group's chairs keep the register.")
            )
        form = forms.AttendanceAddForm(request.POST, people=people)
        if form.is_valid():
            if not form_token_claim(request):
                return _repeat_submit(request, reverse("meeting-attendance", args=[meeting.pk]))
            try:
                services.attendance_record(
                    meeting=meeting,
                    person=form.cleaned_data["person"],
                    organisation=form.cleaned_data["organisation"],
                    by=user,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Added to the register."))
                return redirect("meeting-attendance", meeting.pk)
    return render(
        request,
        "meetings/attendance.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "rows": _register_rows(meeting),
            "can_manage": can_manage,
            "form": form if can_manage else None,
            "register_open": meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
            and meeting.start_at <= timezone.now(),
        },
    )


@login_required
@require_POST
def attendance_toggle_page(request, meeting_id: int, person_id: int):
    """Tick or untick one person in the register."""
    user = request.user
    meeting = meeting_get_for_user(user, meeting_id, manage=True)
    line = Attendance.objects.filter(meeting=meeting, person_id=person_id).first()
    try:
        if request.POST.get("present") == "1":
            if line is None:
                person = people_visible_to(user).filter(pk=person_id).first()
                if person is None:
                    raise Http404("No such person.")
                services.attendance_record(meeting=meeting, person=person, by=user)
        elif line is not None:
            services.attendance_remove(attendance=line, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        meeting = _loaded_meeting(user, meeting.pk)
        return render(
            request,
            "meetings/_register.html",
            {
                "meeting": meeting,
                "rows": _register_rows(meeting),
                "can_manage": True,
                "register_open": True,
            },
        )
    return redirect("meeting-attendance", meeting.pk)


@login_required
@require_GET
def attendance_csv(request, meeting_id: int):
    meeting = _loaded_meeting(request.user, meeting_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendance-{meeting.pk}.csv"'
    # A byte-order mark so spreadsheet programs read the Arabic names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [_("Organisation"), _("Name"), _("Position"), _("Invited"), _("Answer"), _("Present")]
    )
    for row in _register_rows(meeting):
        invitation = row["invitation"]
        writer.writerow(
            [
                str(row["organisation"] or ""),
                row["person"].full_name,
                row["person"].position,
                _("yes") if invitation else _("no"),
                invitation.get_response_display() if invitation else "",
                _("yes") if row["attendance"] else _("no"),
            ]
        )
    return response


@login_required
@require_GET
def meeting_pack_pdf(request, meeting_id: int):
    user = request.user
    meeting = _loaded_meeting(user, meeting_id)
    minutes = getattr(meeting, "minutes", None)
    if minutes is not None and minutes.status != Minutes.Status.PUBLISHED:
        minutes = minutes if user_can_manage_meeting(user, meeting) else None
    response = HttpResponse(
        meeting_pack_pdf_bytes(meeting, minutes=minutes), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="meeting-pack-{meeting.pk}.pdf"'
    return response


# --- Minutes, decisions, action points ------------------------------------------------------


@login_required
def minutes_page(request, meeting_id: int):
    user = request.user
    meeting = _loaded_meeting(user, meeting_id)
    can_manage = user_can_manage_meeting(user, meeting)
    minutes = getattr(meeting, "minutes", None)
    if not can_manage:
        if minutes is None or minutes.status != Minutes.Status.PUBLISHED:
            raise Http404("No published minutes.")
        return redirect(_detail_url(meeting, "minutes"))
    form = forms.MinutesForm(
        request.POST or None, initial={"body": minutes.body if minutes else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(meeting=meeting, body=form.cleaned_data["body"], by=user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The minutes are saved as a draft."))
            return redirect("meeting-minutes", meeting.pk)
    return render(
        request,
        "meetings/minutes.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "minutes": minutes,
            "form": form,
            "decision_form": forms.DecisionForm(meeting=meeting),
            "is_held": meeting.status == Meeting.Status.HELD,
        },
    )


def _minutes_change(request, meeting_id: int, change, done_message: str):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise Http404("No minutes yet.")
    try:
        change(minutes=minutes, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect("meeting-minutes", meeting.pk)


@login_required
@require_POST
def minutes_approve_page(request, meeting_id: int):
    return _minutes_change(
        request, meeting_id, services.minutes_approve, _("The minutes are approved.")
    )


@login_required
@require_POST
def minutes_publish_page(request, meeting_id: int):
    return _minutes_change(
        request,
        meeting_id,
        services.minutes_publish,
        _("The minutes are published to the group's members."),
    )


@login_required
@require_POST
def decision_add_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.DecisionForm(request.POST, meeting=meeting)
    if form.is_valid():
        if not form_token_claim(request):
            return _repeat_submit(request, reverse("meeting-minutes", args=[meeting.pk]))
        try:
            services.decision_add(
                meeting=meeting,
                text=form.cleaned_data["text"],
                agenda_item=form.cleaned_data["agenda_item"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("meeting-minutes", meeting.pk)
    meeting = _loaded_meeting(request.user, meeting.pk)
    minutes = getattr(meeting, "minutes", None)
    return render(
        request,
        "meetings/minutes.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "minutes": minutes,
            "form": forms.MinutesForm(initial={"body": minutes.body if minutes else ""}),
            "decision_form": form,
            "is_held": meeting.status == Meeting.Status.HELD,
        },
        status=400,
    )


@login_required
def action_point_create_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.ActionPointCreateForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return _repeat_submit(request, _detail_url(meeting, "action-points"))
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
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The action point is recorded."))
            return redirect(_detail_url(meeting, "action-points"))
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
    action_point = action_point_list(queryset=ActionPoint.objects.filter(pk=action_point.pk)).get()
    can_manage = user_can_manage_meeting(user, action_point.meeting)
    can_report = can_manage or action_point.owner_organisation_id in _acted_for_ids(user)
    report_form = forms.ActionPointReportForm(
        initial={"status": action_point.status, "progress": action_point.progress}
    )
    edit_form = forms.ActionPointForm(action_point=action_point) if can_manage else None
    if request.method == "POST":
        if request.POST.get("part") == "edit":
            action_point_get_for_user(user, action_point.pk, manage=True)
            edit_form = forms.ActionPointForm(request.POST)
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
        groups=groups_visible_to(user).order_by("name"),
        organisations=organisations_visible_to(user).order_by("name"),
    )
    action_points = action_point_list(queryset=visible)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["group"]:
            action_points = action_points.filter(meeting__group=data["group"])
        if data["organisation"]:
            action_points = action_points.filter(owner_organisation=data["organisation"])
        if data["status"]:
            action_points = action_points.filter(status=data["status"])
        if data["overdue"]:
            action_points = action_points_overdue(queryset=action_points)
    return filters, action_points.order_by("due_on", "pk")


@login_required
@require_GET
def action_point_list_page(request):
    filters, action_points = _filtered_action_points(request)
    page = paginate(request, action_points)
    acted_for = _acted_for_ids(request.user)
    managed = set(
        meetings_managed_by(request.user)
        .filter(pk__in=[action_point.meeting_id for action_point in page])
        .values_list("pk", flat=True)
    )
    for action_point in page:
        action_point.reportable = (
            action_point.owner_organisation_id in acted_for or action_point.meeting_id in managed
        )
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="action-points.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Action"),
            _("Group"),
            _("Meeting"),
            _("Owner organisation"),
            _("Owner"),
            _("Due on"),
            _("Status"),
            _("Progress"),
        ]
    )
    for action_point in action_points.iterator(chunk_size=500):
        writer.writerow(
            [
                action_point.title,
                action_point.meeting.group.name,
                action_point.meeting.title,
                str(action_point.owner_organisation),
                action_point.owner_person.full_name if action_point.owner_person else "",
                action_point.due_on.isoformat(),
                action_point.get_status_display(),
                action_point.progress,
            ]
        )
    return response


# --- Month calendar and the personal feed ----------------------------------------------------


@login_required
@require_GET
def meeting_calendar_page(request):
    user = request.user
    today = timezone.localdate()
    first = forms.month_start(request.GET.get("month"), today)
    weeks = month_calendar.Calendar(firstweekday=5).monthdatescalendar(first.year, first.month)
    # Saturday first: the Libyan working week starts on Sunday, the weekend is Fri–Sat.
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(weeks[0][0], dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    meetings = (
        meetings_visible_to(user)
        .filter(start_at__gte=start, start_at__lt=end)
        .select_related("group")
        .order_by("start_at")
    )
    by_day: dict[dt.date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localtime(meeting.start_at).date(), []).append(meeting)
    previous_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    person = user_person(user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar-feed", args=[person.calendar_token]))
        if person
        else None
    )
    return render(
        request,
        "meetings/calendar.html",
        {
            "nav": "calendar",
            "first": first,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "weekdays": weeks[0],
            "today": today,
            "previous_month": previous_month,
            "next_month": next_month,
            "feed_url": feed_url,
        },
    )


@login_required
@require_POST
def calendar_token_reset_page(request):
    person = user_person(request.user)
    if person is None:
        raise Http404("No person for this login.")
    person_calendar_token_reset(person=person, by=request.user)
    messages.success(request, _("Your calendar address is new; the old one no longer works."))
    return redirect("meeting-calendar")


@require_GET
def calendar_feed(request, token: str):
    """The meetings a person is invited to; the secret in the URL is the only key."""
    person = Person.objects.filter(calendar_token=token).first()
    if person is None:
        raise Http404("No such calendar.")
    body = feed_calendar(meetings_in_feed_of(person), name=f"Tansiq — {person.full_name}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tansiq.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


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


@require_http_methods(["GET", "POST"])
def rsvp(request, token: str):
    """Answer an invitation from the signed link in a notice, without signing in.

    GET only shows what will be recorded: mail scanners open links, so nothing may
    change until the invitee presses the button.
    """
    try:
        invitation_id, response = rsvp_read(token)
    except signing.SignatureExpired:
        return render(request, "notices/rsvp.html", {"expired": True}, status=410)
    except signing.BadSignature:
        raise Http404("No such invitation link.") from None
    invitation = (
        Invitation.objects.select_related("meeting__group", "person", "organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or response not in Invitation.Response.values:
        raise Http404("No such invitation.")
    colleagues = Person.objects.none()
    if response == Invitation.Response.ALTERNATE and invitation.organisation_id:
        colleagues = Person.objects.filter(organisation_id=invitation.organisation_id).exclude(
            pk=invitation.person_id
        )
    context = {
        "invitation": invitation,
        "meeting": invitation.meeting,
        "response": response,
        "response_label": Invitation.Response(response).label,
        "colleagues": colleagues,
        "when": timezone.localtime(invitation.meeting.start_at, invitation.meeting.zone),
    }
    if request.method == "POST":
        alternate = None
        if response == Invitation.Response.ALTERNATE:
            alternate = colleagues.filter(pk=request.POST.get("alternate") or None).first()
        try:
            services.invitation_respond(
                invitation=invitation,
                response=response,
                alternate=alternate,
                note=request.POST.get("note", "")[:500],
                by=invitation.person.user,
            )
        except ValidationError as error:
            context["errors"] = error.messages
            return render(request, "notices/rsvp.html", context, status=400)
        invitation.refresh_from_db()
        context["done"] = True
        context["invitation"] = invitation
    return render(request, "notices/rsvp.html", context)
