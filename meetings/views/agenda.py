"""The agenda builder (htmx: each change answers with the agenda fragment; each item is
edited in place, its row swapped for a small form). Without JavaScript every control
falls back to a page of its own and a redirect to the meeting.

An item's presenter is found by a search of a few matches (meetings.views.person_search),
never chosen from a list of everyone the user may offer: the agenda costs what the
meeting holds, not what the directory does."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.permissions import people_offered_to
from meetings import forms, services
from meetings.models import AgendaItem, Meeting
from meetings.permissions import agenda_item_get_for_user, meeting_get_for_user
from meetings.selectors import meeting_detail_for_user
from meetings.views.person_search import person_matches, person_query
from meetings.views.shared import agenda_shown, detail_url
from portal.pages import form_token_claim


def _agenda_response(request, meeting: Meeting, form=None):
    if not request.htmx:
        return redirect(detail_url(meeting, "agenda"))
    meeting = meeting_detail_for_user(
        queryset=Meeting.objects.filter(pk=meeting.pk), user=request.user
    ).get()
    people = people_offered_to(request.user)
    return render(
        request,
        "meetings/_agenda.html",
        {
            "meeting": meeting,
            "agenda": agenda_shown(meeting),
            "can_manage": True,
            "agenda_open": meeting.status in services.OPEN_STATUSES,
            "agenda_form": form or forms.AgendaItemForm(people=people),
        },
    )


def _closed_agenda(request, meeting: Meeting) -> HttpResponse | None:
    """A held or cancelled meeting's agenda is its record: the pages that would change it
    send back to it, saying why, instead of opening a form whose save is refused."""
    if meeting.status in services.OPEN_STATUSES or request.method != "GET" or request.htmx:
        return None
    status = meeting.get_status_display().lower()
    messages.error(
        request, _("A %(status)s meeting cannot be given a changed agenda.") % {"status": status}
    )
    # To the top of the meeting's page, where the message is, not scrolled past it.
    return redirect("meeting-detail", meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_add_page(request, meeting_id: int):
    """Add an item: with htmx the agenda answers, errors in its form. Without it, a save
    returns to the meeting, and the form has a page of its own: showing it again with
    its errors, or (GET, `?q=`) with the presenters its search found."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    if closed := _closed_agenda(request, meeting):
        return closed
    people = people_offered_to(request.user)
    search = person_matches(request.user, people, person_query(request), prefix="presenter")
    data = request.POST if request.method == "POST" else None
    form = forms.AgendaItemForm(data, people=people, search=search)
    if form.is_bound and form.is_valid():
        if not form_token_claim(request):
            return _agenda_response(request, meeting)
        try:
            services.agenda_item_add(meeting=meeting, by=request.user, **_agenda_fields(form))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _agenda_response(request, meeting)
    if form.is_bound and request.htmx:
        return _agenda_response(request, meeting, form=form)
    return render(
        request,
        "meetings/agenda_item_add.html",
        {"nav": "meetings", "meeting": meeting, "form": form, "can_manage": True},
        status=400 if form.is_bound else 200,
    )


def _agenda_fields(form) -> dict:
    fields = {
        "title": form.cleaned_data["title"],
        "duration_minutes": form.cleaned_data["duration_minutes"],
    }
    # "No presenter" sends an empty choice. No choice at all is sent when a new search
    # swapped out the match that was chosen: an item's presenter then stays as it is.
    if form.presenter_posted():
        fields["presenter"] = form.cleaned_data["presenter"]
    return fields


def _agenda_item(user: User, meeting: Meeting, item_id: int) -> AgendaItem:
    item = agenda_item_get_for_user(user, item_id, manage=True)
    if item.meeting_id != meeting.pk:
        raise Http404(_("No such agenda item."))
    return item


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_remove_page(request, meeting_id: int, item_id: int):
    """GET asks first (the page the remove link opens without JavaScript; with it, htmx
    asks in the browser and posts); POST removes."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item = _agenda_item(request.user, meeting, item_id)
    if closed := _closed_agenda(request, meeting):
        return closed
    if request.method == "GET":
        return render(
            request,
            "meetings/agenda_item_remove.html",
            {"nav": "meetings", "meeting": meeting, "item": item, "can_manage": True},
        )
    try:
        services.agenda_item_remove(item=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not request.htmx:
            messages.success(
                request, _("“%(title)s” is removed from the agenda.") % {"title": item.title}
            )
    return _agenda_response(request, meeting)


@login_required
@require_GET
def agenda_item_page(request, meeting_id: int, item_id: int):
    """One item's row as the agenda shows it (what "Cancel" in its in-place form puts
    back); without htmx, the meeting's page at the item."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item = _agenda_item(request.user, meeting, item_id)
    if not request.htmx:
        return redirect(detail_url(meeting, f"agenda-item-{item.pk}"))
    return _item_row(request, meeting, item.pk)


def _item_row(request, meeting: Meeting, item_id: int):
    meeting = meeting_detail_for_user(
        queryset=Meeting.objects.filter(pk=meeting.pk), user=request.user
    ).get()
    slot = agenda_shown(meeting).slot_of(item_id)
    if slot is None:
        raise Http404(_("No such agenda item."))
    return render(
        request,
        "meetings/_agenda_item.html",
        {
            "meeting": meeting,
            "slot": slot,
            "item": slot.item,
            "can_manage": True,
            "agenda_open": meeting.status in services.OPEN_STATUSES,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit_page(request, meeting_id: int, item_id: int):
    """Edit one item in place: with htmx the row becomes the form, a save answers with
    the whole agenda (the running times after it move) and errors come back in the row;
    without it, a page with the form that saves and returns to the meeting (and shows
    the presenters its search found, `?q=`)."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item = _agenda_item(request.user, meeting, item_id)
    if closed := _closed_agenda(request, meeting):
        return closed
    people = people_offered_to(request.user)
    search = person_matches(
        request.user, people, person_query(request), prefix=f"item-{item.pk}-presenter"
    )
    form = forms.AgendaItemEditForm(request.POST or None, item=item, people=people, search=search)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(
                item=item,
                by=request.user,
                description=form.cleaned_data["description"],
                **_agenda_fields(form),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if not request.htmx:
                messages.success(request, _("The agenda item is saved."))
                return redirect(detail_url(meeting, f"agenda-item-{item.pk}"))
            response = _agenda_response(request, meeting)
            response["HX-Retarget"] = "#agenda"
            response["HX-Reswap"] = "outerHTML"
            return response
    context = {"nav": "meetings", "meeting": meeting, "item": item, "form": form}
    if request.htmx:
        return render(request, "meetings/_agenda_item_form.html", context)
    return render(
        request,
        "meetings/agenda_item_edit.html",
        {**context, "can_manage": True},
        status=400 if form.is_bound else 200,
    )


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


def _id_parameter(value: str | None) -> int | None:
    """An id from the query string; None for anything else."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


@login_required
@require_GET
def agenda_presenters_page(request, meeting_id: int):
    """The people matching what is typed in an agenda form's presenter search, swapped
    into the form by htmx (`item`: the item edited, else the add form; `kept`: the
    presenter the form shows chosen already, left out of the matches). Without htmx,
    the form's own page showing them."""
    meeting = meeting_get_for_user(request.user, meeting_id, manage=True)
    item_id = _id_parameter(request.GET.get("item"))
    field = f"item-{item_id}-presenter" if item_id else "presenter"
    query = person_query(request)
    if not request.htmx:
        page = (
            reverse("agenda-item-edit", args=[meeting.pk, item_id])
            if item_id
            else reverse("agenda-item-add", args=[meeting.pk])
        )
        return redirect(f"{page}?{urlencode({'q': query})}#{field}-query")
    search = person_matches(request.user, people_offered_to(request.user), query, prefix=field)
    kept = _id_parameter(request.GET.get("kept"))
    search["field"] = field
    search["matches"] = [person for person in search["matches"] if person.pk != kept]
    return render(request, "meetings/_agenda_presenter_matches.html", {"search": search})
