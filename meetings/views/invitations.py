"""Invitations: who is invited and how they answered, inviting, answering on the
site, and answering from the signed link in a notice.
"""

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.permissions import people_offered_to
from meetings import forms, services
from meetings.models import Invitation, Meeting
from meetings.permissions import (
    invitation_get_for_user,
    invitations_answerable_by,
    meeting_get_for_user,
    user_can_manage_meeting,
)
from meetings.rsvp import rsvp_read
from meetings.selectors import (
    InvitationLine,
    answer_tally_from,
    invitation_alternates,
    invitation_lines,
    invitation_preview,
)
from meetings.views.person_search import (
    person_keep_chosen,
    person_matches,
    person_matches_response,
    person_query,
)
from meetings.views.shared import (
    detail_url,
    repeat_submit,
)
from members.models import Person
from portal.pages import (
    choice_labels,
    form_token_claim,
    form_token_new,
    local_name,
    reverse_by_id,
)


def _invitable_people(user, meeting: Meeting):
    """Whom the invite form accepts: the people the user may invite who are not invited
    yet (a subquery, so the invitations are not read for it)."""
    invited = Invitation.objects.filter(meeting=meeting).values("person_id")
    return people_offered_to(user).exclude(pk__in=invited)


def _invitation_rows(user, meeting: Meeting, invitations: list[InvitationLine]) -> list[dict]:
    """What the tab prints of each invitation, worked out once per page (the answers'
    labels, the names in the page's language, the answer link where the reader may
    answer) rather than by filters on each of a plenary's hundreds of lines."""
    answers = choice_labels(Invitation.Response.choices)
    answerable = (
        invitations_answerable_by(user, invitations)
        if meeting.status == Meeting.Status.SCHEDULED
        else set()
    )
    respond_url = reverse_by_id("invitation-respond")
    return [
        {
            "organisation_name": local_name(invitation.organisation),
            "person_name": local_name(invitation.person),
            "response": invitation.response,
            "answer": answers.get(invitation.response, invitation.response),
            "alternate_name": local_name(invitation.alternate),
            "note": invitation.response_note,
            "respond_url": respond_url(invitation.pk) if invitation.pk in answerable else "",
        }
        for invitation in invitations
    ]


@login_required
def invitations_page(request, meeting_id: int):
    user = request.user
    meeting = meeting_get_for_user(user, meeting_id)
    can_manage = user_can_manage_meeting(user, meeting)
    people = _invitable_people(user, meeting)
    query = person_query(request) if can_manage else ""
    search = person_matches(user, people, query, prefix="invitee")
    form = forms.InviteeForm(people=people, people_shown=search["matches"])
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(_("Only the secretariat and the group's chairs invite people."))
        form = forms.InviteeForm(request.POST, people=people, people_shown=search["matches"])
        if form.is_valid():
            if not form_token_claim(request):
                return repeat_submit(request, reverse("meeting-invitations", args=[meeting.pk]))
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
        # The person chosen stays chosen while the form is put right.
        person_keep_chosen(search, form.cleaned_data.get("person"))
    invitations = invitation_lines(meeting)
    return render(
        request,
        "meetings/invitations.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "rows": _invitation_rows(user, meeting, invitations),
            "rsvp": answer_tally_from(Counter(invitation.response for invitation in invitations)),
            "can_manage": can_manage,
            "search": search,
            "form": form if can_manage else None,
            "invite_open": meeting.status in services.OPEN_STATUSES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def invitation_people_page(request, meeting_id: int):
    """The people matching what is typed in the invite form's search, swapped into the
    form by htmx; without htmx, the invitations tab showing them."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    return person_matches_response(
        request,
        _invitable_people(request.user, meeting),
        tab=reverse("meeting-invitations", args=[meeting.pk]),
        anchor="invite-heading",
        prefix="invitee",
    )


@login_required
@require_POST
def invitations_for_group_page(request, meeting_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    url = reverse("meeting-invitations", args=[meeting.pk])
    if not form_token_claim(request):
        return repeat_submit(request, url)
    try:
        invited = services.invitations_create_for_group(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(count)s representatives of the group are invited.")
            % {"count": len(invited.invitations)},
        )
        _group_invitations_report(request, invited)
    return redirect(url)


def _group_invitations_report(request, invited: services.GroupInvitations) -> None:
    """Say whom inviting the group could not reach: organisations with nobody invited,
    and new invitees who have no e-mail address."""
    for sentence in invited.shortfalls():
        messages.warning(request, sentence)


@login_required
@require_GET
def meeting_schedule_preview_page(request, meeting_id: int):
    """Before a draft is scheduled: who will be invited, which member organisations have
    nobody invited, who has no e-mail address, and the invitation in each language it
    goes out in. The page's button posts to meeting-schedule, the one place the
    invitations are sent from; nothing is sent before that."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    if meeting.status != Meeting.Status.DRAFT:
        status = meeting.get_status_display().lower()
        messages.error(request, _("A %(status)s meeting cannot be scheduled.") % {"status": status})
        return redirect(detail_url(meeting))
    return render(
        request,
        "meetings/schedule_preview.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "can_manage": True,
            "preview": invitation_preview(meeting),
            "form_token": form_token_new(),
        },
    )


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
            return redirect(detail_url(invitation.meeting))
    return render(
        request,
        "meetings/invitation_respond.html",
        {"nav": "meetings", "invitation": invitation, "meeting": invitation.meeting, "form": form},
    )


@require_http_methods(["GET", "POST"])
def rsvp(request, token: str):
    """Answer an invitation from the signed link in a notice, without signing in.

    GET only shows what will be recorded: mail scanners open links, so nothing may
    change until the invitee presses the button.
    """
    try:
        invitation_id, response = rsvp_read(token)
    except signing.SignatureExpired:
        return render(request, "meetings/rsvp.html", {"expired": True}, status=410)
    except signing.BadSignature:
        raise Http404("No such invitation link.") from None
    invitation = (
        Invitation.objects.select_related("meeting__group", "person", "organisation")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or response not in Invitation.Response.values:
        raise Http404("No such invitation.")
    with translation.override(_answer_page_language(request, invitation)):
        return _rsvp_page(request, invitation, response)


def _answer_page_language(request, invitation: Invitation) -> str:
    """The invitee's own language, unless the visitor picked one with the switch."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return invitation.person.preferred_language or settings.LANGUAGE_CODE


def _rsvp_page(request, invitation: Invitation, response: str):
    colleagues = (
        invitation_alternates(invitation)
        if response == Invitation.Response.ALTERNATE
        else Person.objects.none()
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
            alternate_id = request.POST.get("alternate")
            alternate = colleagues.filter(pk=alternate_id).first() if alternate_id else None
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
            return render(request, "meetings/rsvp.html", context, status=400)
        invitation.refresh_from_db()
        context["done"] = True
        context["invitation"] = invitation
    return render(request, "meetings/rsvp.html", context)
