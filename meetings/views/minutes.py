"""Minutes (draft, approve, publish) and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.permissions import organisations_offered_to
from meetings import announcements, forms, minutes_cycle, minutes_forms, services
from meetings.minutes_cycle import minutes_template
from meetings.models import Meeting, Minutes
from meetings.permissions import (
    meeting_get_for_user,
    minutes_of_meeting_for_user,
    user_can_manage_meeting,
)
from meetings.views.minutes_cycle import minutes_cycle_context
from meetings.views.shared import detail_url, loaded_meeting, repeat_submit
from members.models import Person
from portal.pages import form_token_claim, local_name


@login_required
def minutes_page(request, meeting_id: int):
    user = request.user
    meeting = loaded_meeting(user, meeting_id)
    minutes = minutes_of_meeting_for_user(user, meeting)
    if not user_can_manage_meeting(user, meeting):
        if request.method == "POST":
            raise PermissionDenied
        # Readers read the minutes on the meeting's page; this page is for writing them,
        # and for commenting on a draft circulated to the reader's organisation.
        if minutes is None:
            raise Http404("No published minutes.")
        if minutes.status == Minutes.Status.DRAFT:
            return render(
                request,
                "meetings/minutes_comments.html",
                {
                    "nav": "meetings",
                    "meeting": meeting,
                    "minutes": minutes,
                    **minutes_cycle_context(user, meeting, minutes),
                },
            )
        return redirect(detail_url(meeting, "minutes"))
    is_held = meeting.status == Meeting.Status.HELD
    if minutes is not None:
        initial = minutes.body
    else:
        # A first draft starts from the meeting's structure (meetings.minutes_cycle).
        initial = minutes_template(meeting, get_language() or "en") if is_held else ""
    form = forms.MinutesForm(request.POST or None, initial={"body": initial})
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
            "decision_form": forms.DecisionForm(
                meeting=meeting, organisations=organisations_offered_to(user)
            ),
            "is_held": is_held,
            **minutes_cycle_context(user, meeting, minutes),
        },
    )


def _minutes_change(request, meeting_id: int, change, done_message: str):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    minutes = minutes_of_meeting_for_user(request.user, meeting)
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
    """The chair or co-chair approves in their own name; the secretariat names whom it
    approves on behalf of (minutes_forms.ApproveForm)."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = minutes_forms.ApproveForm(
        request.POST, signatories=minutes_cycle.minutes_signatories(meeting)
    )
    on_behalf_of = None
    if "on_behalf_of" in request.POST:
        if not form.is_valid():
            messages.error(request, _("Name the chair or co-chair you approve on behalf of."))
            return redirect("meeting-minutes", meeting.pk)
        on_behalf_of = Person.objects.get(pk=form.cleaned_data["on_behalf_of"])

    def approve(*, minutes, by):
        return services.minutes_approve(minutes=minutes, by=by, on_behalf_of=on_behalf_of)

    return _minutes_change(request, meeting_id, approve, _("The minutes are approved."))


@login_required
@require_http_methods(["GET", "POST"])
def minutes_publish_page(request, meeting_id: int):
    """GET: whom publishing will mail, by organisation, before anything goes out; POST:
    publish."""
    if request.method == "POST":
        return _minutes_change(
            request,
            meeting_id,
            services.minutes_publish,
            _("The minutes are published to the group's members."),
        )
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    minutes = getattr(meeting, "minutes", None)
    if minutes is None or minutes.status != Minutes.Status.APPROVED:
        messages.error(request, _("Minutes are approved before they are published."))
        return redirect("meeting-minutes", meeting.pk)
    readers = announcements.minutes_readers_when_published(meeting)
    by_organisation: dict[str, list[Person]] = {}
    for person in readers:
        name = local_name(person.organisation) if person.organisation else ""
        by_organisation.setdefault(name, []).append(person)
    return render(
        request,
        "meetings/minutes_publish.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "minutes": minutes,
            "by_organisation": sorted(by_organisation.items()),
            "reader_count": len(readers),
            "without_email": [person for person in readers if not person.email],
        },
    )


@login_required
@require_POST
def decision_add_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    form = forms.DecisionForm(
        request.POST, meeting=meeting, organisations=organisations_offered_to(request.user)
    )
    if form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, reverse("meeting-minutes", args=[meeting.pk]))
        try:
            services.decision_add(
                meeting=meeting,
                text=form.cleaned_data["text"],
                agenda_item=form.cleaned_data["agenda_item"],
                by=request.user,
                **forms.confidentiality_values(form),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("meeting-minutes", meeting.pk)
    meeting = loaded_meeting(request.user, meeting.pk)
    minutes = minutes_of_meeting_for_user(request.user, meeting)
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
            **minutes_cycle_context(request.user, meeting, minutes),
        },
        status=400,
    )
