"""The attendance register with its quorum, its CSV export and the sign-in sheet."""

from collections.abc import Callable
from typing import Any, TypedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from groups.permissions import (
    organisations_offered_to,
    people_offered_to,
    person_get_for_user,
)
from meetings import forms, services
from meetings.models import (
    INTERPRETATION_LANGUAGES,
    Attendance,
    AttendanceMode,
    Invitation,
    Meeting,
)
from meetings.permissions import (
    attendance_visible_to,
    meeting_get_for_user,
    user_can_manage_meeting,
)
from meetings.selectors import (
    InvitationLine,
    OrganisationNamed,
    PersonNamed,
    RegisterLine,
    invitation_lines,
    quorum_status,
    register_lines,
    sign_in_sheet_invitations,
)
from meetings.sign_in_sheet import SIGN_IN_SHEET_MAX_PEOPLE, sign_in_sheet_pdf
from meetings.views.person_search import (
    person_keep_chosen,
    person_matches,
    person_matches_response,
    person_query,
)
from meetings.views.shared import detail_url, repeat_submit
from portal.exports import csv_response
from portal.pages import choice_labels, form_token_claim, local_name, reverse_by_id


class RegisterRow(TypedDict, total=False):
    person: PersonNamed
    organisation: OrganisationNamed | None
    invitation: InvitationLine | None
    attendance: RegisterLine | None
    # On an alternate's row, the invitee who sent them; on every other row None, not
    # absent: the template asks every row, and a missing key cost a failed lookup each.
    in_place_of: PersonNamed | None
    # What the page prints of the line (_register_context): the person's and the
    # organisation's names, the person's id, the invitation's answer; for those who
    # keep the register, the addresses of the line's forms and its selects' labels and
    # options; for the others, how they attended and their interpretation.
    name: str
    organisation_name: str
    in_place_of_name: str
    person_key: str
    answer: str
    toggle_url: str
    details_url: str
    mode_field: str
    mode_options: SafeString
    interpretation_field: str
    interpretation_options: SafeString
    mode_label: str
    interpretation_label: str


def _register_rows(
    invitations: list[InvitationLine], lines: list[RegisterLine]
) -> list[RegisterRow]:
    """One row per invitee and per walk-in, grouped and sorted by organisation."""
    present = {line.person_id: line for line in lines}
    rows: list[RegisterRow] = []
    for invitation in invitations:
        rows.append(
            {
                "person": invitation.person,
                "organisation": invitation.organisation,
                "invitation": invitation,
                "in_place_of": None,
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
                "in_place_of": None,
                "attendance": line,
            }
        )
    rows.sort(key=lambda row: (str(row["organisation"] or "~"), row["person"].full_name))
    return rows


def _register_open(meeting: Meeting) -> bool:
    return (
        meeting.status in (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
        and meeting.start_at <= timezone.now()
    )


def _select_options(choices: list[tuple[str, str]]) -> Callable[[str], SafeString]:
    """The <option>s of a select with `chosen` selected, each variant built once: the
    register repeats its two selects on every line, and a plenary's register built them
    option by option in the template hundreds of times."""
    built: dict[str, SafeString] = {}

    def options(chosen: str) -> SafeString:
        if chosen not in built:
            built[chosen] = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, " selected" if value == chosen else "", label)
                    for value, label in choices
                ),
            )
        return built[chosen]

    return options


def _register_context(
    meeting: Meeting,
    invitations: list[InvitationLine],
    lines: list[RegisterLine],
    *,
    can_manage: bool,
) -> dict[str, Any]:
    """What _register.html and _quorum.html show, from the meeting's invitations and
    register (invitation_lines, register_lines). Each line carries what the template
    prints of it, worked out here once per page (labels and their translations, the
    selects' options, the forms' addresses) rather than looked up again on each of a
    plenary's hundreds of lines."""
    register_open = _register_open(meeting)
    editable = can_manage and register_open
    rows = _register_rows(invitations, lines)
    answers = choice_labels(Invitation.Response.choices)
    modes = choice_labels(AttendanceMode.choices)
    interpretations = {
        "": _("No interpretation"),
        **{
            value: _("Interpretation: %(language)s") % {"language": language}
            for value, language in choice_labels(INTERPRETATION_LANGUAGES).items()
        },
    }
    mode_options = _select_options(list(modes.items()))
    interpretation_options = _select_options(list(interpretations.items()))
    toggle_url = reverse_by_id("attendance-toggle", meeting.pk)
    details_url = reverse_by_id("attendance-details", meeting.pk)
    how_attended = _("How %(name)s attended")
    interpretation_for = _("Interpretation for %(name)s")
    no_organisation = _("No organisation")
    for row in rows:
        person = row["person"]
        name = row["name"] = local_name(person)
        row["organisation_name"] = local_name(row["organisation"]) or no_organisation
        in_place_of = row["in_place_of"]
        if in_place_of is not None:
            row["in_place_of_name"] = local_name(in_place_of)
        row["person_key"] = str(person.pk)
        invitation = row["invitation"]
        if invitation is not None:
            row["answer"] = answers.get(invitation.response, invitation.response)
        line = row["attendance"]
        if editable:
            row["toggle_url"] = toggle_url(person.pk)
            if line is not None:
                row["details_url"] = details_url(person.pk)
                row["mode_field"] = how_attended % {"name": name}
                row["mode_options"] = mode_options(line.mode)
                row["interpretation_field"] = interpretation_for % {"name": name}
                row["interpretation_options"] = interpretation_options(line.interpretation)
        elif line is not None:
            row["mode_label"] = modes.get(line.mode, line.mode)
            # Set on every such row, empty without interpretation: asked of each, as
            # in_place_of is.
            row["interpretation_label"] = (
                interpretations.get(
                    line.interpretation,
                    _("Interpretation: %(language)s") % {"language": line.interpretation},
                )
                if line.interpretation
                else ""
            )
    return {
        "meeting": meeting,
        "rows": rows,
        "quorum": quorum_status(meeting, lines),
        "can_manage": can_manage,
        "register_open": register_open,
        "register_editable": editable,
    }


def _register_fragment(request, meeting_id: int, *, error: str = ""):
    """The register after a change, for htmx: its quorum panel is swapped out of band."""
    meeting = meeting_get_for_user(request.user, meeting_id)
    context = _register_context(
        meeting, invitation_lines(meeting), register_lines(meeting), can_manage=True
    )
    return render(
        request, "meetings/_register.html", {**context, "quorum_oob": True, "register_error": error}
    )


def _walk_in_people(user, meeting: Meeting):
    """Whom the walk-in form accepts: the people the user may pick who are not in the
    register yet (a subquery, so the register is not read for it)."""
    in_register = Attendance.objects.filter(meeting=meeting).values("person_id")
    return people_offered_to(user).exclude(pk__in=in_register)


def _invited_organisations(invitations: list[InvitationLine]) -> list[OrganisationNamed]:
    """The active organisations of the invitations."""
    organisations = {
        invitation.organisation.pk: invitation.organisation
        for invitation in invitations
        if invitation.organisation is not None and invitation.organisation.is_active
    }
    return sorted(organisations.values(), key=local_name)


@login_required
def attendance_page(request, meeting_id: int):
    user = request.user
    meeting = meeting_get_for_user(user, meeting_id)
    invitations, lines = invitation_lines(meeting), register_lines(meeting)
    can_manage = user_can_manage_meeting(user, meeting)
    people = _walk_in_people(user, meeting)
    organisations = organisations_offered_to(user)
    query = person_query(request) if can_manage else ""
    search = person_matches(user, people, query, prefix="walk-in")
    shown = {
        "people_shown": search["matches"],
        "organisations_shown": _invited_organisations(invitations),
    }
    form = forms.AttendanceAddForm(people=people, organisations=organisations, **shown)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                _("Only the secretariat and the group's chairs keep the register.")
            )
        form = forms.AttendanceAddForm(
            request.POST, people=people, organisations=organisations, **shown
        )
        if form.is_valid():
            if not form_token_claim(request):
                return repeat_submit(request, reverse("meeting-attendance", args=[meeting.pk]))
            try:
                services.attendance_record(
                    meeting=meeting,
                    person=form.cleaned_data["person"],
                    organisation=form.cleaned_data["organisation"],
                    mode=form.cleaned_data["mode"] or AttendanceMode.IN_PERSON,
                    interpretation=form.cleaned_data["interpretation"],
                    by=user,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Added to the register."))
                return redirect("meeting-attendance", meeting.pk)
        # The person chosen stays chosen while the rest of the form is put right.
        person_keep_chosen(search, form.cleaned_data.get("person"))
    return render(
        request,
        "meetings/attendance.html",
        {
            "nav": "meetings",
            **_register_context(meeting, invitations, lines, can_manage=can_manage),
            "search": search,
            "form": form if can_manage else None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def attendance_people_page(request, meeting_id: int):
    """The people matching what is typed in the walk-in form's search, swapped into the
    form by htmx; without htmx, the attendance tab showing them."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    return person_matches_response(
        request,
        _walk_in_people(request.user, meeting),
        tab=reverse("meeting-attendance", args=[meeting.pk]),
        anchor="walk-in-heading",
        prefix="walk-in",
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
        return _register_fragment(request, meeting.pk)
    return redirect("meeting-attendance", meeting.pk)


@login_required
@require_POST
def attendance_details_page(request, meeting_id: int, person_id: int):
    """Change how one person in the register attended and their interpretation."""
    user = request.user
    meeting = meeting_get_for_user(user, meeting_id, manage=True)
    line = attendance_visible_to(user).filter(meeting=meeting, person_id=person_id).first()
    if line is None:
        raise Http404(_("No such attendance record."))
    form = forms.AttendanceDetailsForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.attendance_update(attendance=line, by=user, **form.cleaned_data)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    else:
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    if request.htmx:
        return _register_fragment(request, meeting.pk, error=error)
    if error:
        messages.error(request, error)
    return redirect("meeting-attendance", meeting.pk)


@login_required
@require_GET
def attendance_csv(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id)
    header = [
        _("Organisation"),
        _("Name"),
        _("Position"),
        _("Invited"),
        pgettext("column header", "Answer"),
        _("Present"),
        _("Attended"),
        _("Interpretation"),
    ]
    answers = choice_labels(Invitation.Response.choices)
    modes = choice_labels(AttendanceMode.choices)
    interpretations = choice_labels(INTERPRETATION_LANGUAGES)

    def cells(row: RegisterRow) -> list:
        invitation, line = row["invitation"], row["attendance"]
        return [
            row["organisation"] or "",
            row["person"].full_name,
            row["person"].position,
            _("yes") if invitation else _("no"),
            answers.get(invitation.response, invitation.response) if invitation else "",
            _("yes") if line else _("no"),
            modes.get(line.mode, line.mode) if line else "",
            interpretations.get(line.interpretation, line.interpretation) if line else "",
        ]

    rows = (
        cells(row) for row in _register_rows(invitation_lines(meeting), register_lines(meeting))
    )
    return csv_response(f"attendance-{meeting.pk}.csv", header, rows)


@login_required
@require_GET
def sign_in_sheet_pdf_download(request, meeting_id: int):
    """The sign-in sheet to print, drawn on request (a sheet is small), in the reader's
    language or the one `?lang=` names; for those who manage the meeting."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("lang") or get_language() or settings.LANGUAGE_CODE
    if language not in languages:
        problems = {"lang": _("Choose one of: %(codes)s.") % {"codes": ", ".join(languages)}}
        return render(request, "400.html", {"problems": problems}, status=400)
    invitations = list(sign_in_sheet_invitations(meeting)[: SIGN_IN_SHEET_MAX_PEOPLE + 1])
    if len(invitations) > SIGN_IN_SHEET_MAX_PEOPLE:
        messages.error(
            request,
            _(
                "A sign-in sheet lists at most %(count)s invitees; download the attendance "
                "register as CSV instead."
            )
            % {"count": SIGN_IN_SHEET_MAX_PEOPLE},
        )
        return redirect(detail_url(meeting))
    with translation.override(language):
        content = sign_in_sheet_pdf(meeting, invitations)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="sign-in-sheet-{meeting.pk}-{language}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Names and organisations of the invitees: no shared cache may keep them.
    patch_cache_control(response, private=True, no_cache=True)
    return response
