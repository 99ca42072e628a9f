"""The attendance register, and its CSV export."""

from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groups.permissions import organisations_offered_to, people_offered_to, person_get_for_user
from meetings import forms, services
from meetings.models import Attendance, Invitation, Meeting
from meetings.permissions import (
    attendance_visible_to,
    meeting_get_for_user,
    user_can_manage_meeting,
)
from meetings.views.shared import loaded_meeting, repeat_submit
from members.models import Organisation, Person
from portal.exports import csv_response
from portal.pages import form_token_claim


class RegisterRow(TypedDict, total=False):
    person: Person
    organisation: Organisation | None
    invitation: Invitation | None
    attendance: Attendance | None
    in_place_of: Person  # on an alternate's row: the invitee who sent them


def _register_rows(meeting: Meeting) -> list[RegisterRow]:
    """One row per invitee and per walk-in, grouped and sorted by organisation."""
    present = {line.person_id: line for line in meeting.attendance.all()}
    rows: list[RegisterRow] = []
    for invitation in meeting.invitations.all():
        rows.append(
            {
                "person": invitation.person,
                "organisation": invitation.organisation,
                "invitation": invitation,
                "attendance": present.pop(invitation.person_id, None),
            }
        )
        if invitation.alternate is not None:
            # Who was sent in the invitee's place, to be ticked when they come.
            rows.append(
                {
                    "person": invitation.alternate,
                    "organisation": invitation.organisation,
                    "invitation": None,
                    "in_place_of": invitation.person,
                    "attendance": present.pop(invitation.alternate.pk, None),
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
    meeting = loaded_meeting(user, meeting_id)
    can_manage = user_can_manage_meeting(user, meeting)
    in_register = {line.person_id for line in meeting.attendance.all()}
    people = people_offered_to(user).exclude(pk__in=in_register)
    organisations = organisations_offered_to(user)
    form = forms.AttendanceAddForm(people=people, organisations=organisations)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                _("Only the secretariat and the group's chairs keep the register.")
            )
        form = forms.AttendanceAddForm(request.POST, people=people, organisations=organisations)
        if form.is_valid():
            if not form_token_claim(request):
                return repeat_submit(request, reverse("meeting-attendance", args=[meeting.pk]))
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
    line = attendance_visible_to(user).filter(meeting=meeting, person_id=person_id).first()
    try:
        if request.POST.get("present") == "1":
            if line is None:
                person = person_get_for_user(user, person_id)
                services.attendance_record(meeting=meeting, person=person, by=user)
        elif line is not None:
            services.attendance_remove(attendance=line, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        meeting = loaded_meeting(user, meeting.pk)
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
    meeting = loaded_meeting(request.user, meeting_id)
    header = [_("Organisation"), _("Name"), _("Position"), _("Invited"), _("Answer"), _("Present")]
    rows = (
        [
            row["organisation"] or "",
            row["person"].full_name,
            row["person"].position,
            _("yes") if row["invitation"] else _("no"),
            row["invitation"].get_response_display() if row["invitation"] else "",
            _("yes") if row["attendance"] else _("no"),
        ]
        for row in _register_rows(meeting)
    )
    return csv_response(f"attendance-{meeting.pk}.csv", header, rows)
