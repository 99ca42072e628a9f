"""The agenda builder (htmx: each change answers with the agenda fragment)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.permissions import people_offered_to
from meetings import forms, services
from meetings.models import AgendaItem, Meeting
from meetings.permissions import agenda_item_get_for_user, meeting_get_for_user
from meetings.selectors import meeting_detail
from meetings.views.shared import detail_url
from portal.pages import form_token_claim


def _agenda_response(request, meeting: Meeting, form=None):
    if not request.htmx:
        return redirect(detail_url(meeting, "agenda"))
    meeting = meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()
    people = people_offered_to(request.user)
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
    people = people_offered_to(request.user)
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
            messages.error(request, " ".join(str(error) for error in errors))
    return _agenda_response(request, meeting, form=form)


def _agenda_fields(form) -> dict:
    return {
        "title": form.cleaned_data["title"],
        "duration_minutes": form.cleaned_data["duration_minutes"],
        "presenter": form.cleaned_data["presenter"],
    }


def _agenda_item(user: User, meeting: Meeting, item_id: int) -> AgendaItem:
    item = agenda_item_get_for_user(user, item_id, manage=True)
    if item.meeting_id != meeting.pk:
        raise Http404(_("No such agenda item."))
    return item


@login_required
@require_POST
def agenda_item_remove_page(request, meeting_id: int, item_id: int):
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    try:
        services.agenda_item_remove(
            item=_agenda_item(request.user, meeting, item_id), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _agenda_response(request, meeting)


@login_required
@require_POST
def agenda_item_move_page(request, meeting_id: int, item_id: int):
    """Move an item one place up or down: buttons work by keyboard, unlike dragging."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item = _agenda_item(request.user, meeting, item_id)
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
