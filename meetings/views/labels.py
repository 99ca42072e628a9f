"""The "Confidentiality" control: who may see a meeting, an agenda item, the minutes, a
decision or an action point (public, members, or restricted to named organisations),
with the changes of its label, for those who manage the meeting."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from groups.permissions import organisations_offered_to
from groups.selectors import confidentiality_trail
from groups.services import confidentiality_set
from meetings import forms
from meetings.models import Meeting
from meetings.permissions import (
    action_point_get_for_user,
    agenda_item_get_for_user,
    decision_get_for_user,
    meeting_get_for_user,
    minutes_get_for_user,
)
from meetings.views.shared import detail_url, repeat_submit
from portal.pages import form_token_claim


def _back_to_meeting(anchor: str) -> Callable[[Any], str]:
    return lambda record: detail_url(record.meeting, anchor.format(pk=record.pk))


# kind -> (its funnel, the page's question about it, where it is shown)
KINDS: dict[str, tuple[Callable[..., Any], Any, Callable[[Any], str]]] = {
    "meeting": (meeting_get_for_user, gettext_lazy("Who may see this meeting:"), detail_url),
    "agenda-item": (
        agenda_item_get_for_user,
        gettext_lazy("Who may see this agenda item:"),
        _back_to_meeting("agenda-item-{pk}"),
    ),
    "minutes": (
        minutes_get_for_user,
        gettext_lazy("Who may see these minutes:"),
        _back_to_meeting("minutes"),
    ),
    "decision": (
        decision_get_for_user,
        gettext_lazy("Who may see this decision:"),
        _back_to_meeting("decision-{pk}"),
    ),
    "action-point": (
        action_point_get_for_user,
        gettext_lazy("Who may see this action point:"),
        lambda record: reverse("action-point-detail", args=[record.pk]),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def confidentiality_page(request, kind: str, record_id: int):
    """A row's label and its trail; those who manage its meeting change it (404 for a
    row the user may not see, 403 for one they see and may not change)."""
    if kind not in KINDS:
        raise Http404(_("No such record."))
    get_for_user, question, shown_at = KINDS[kind]
    user = request.user
    record = get_for_user(user, record_id, manage=True)
    meeting: Meeting = record if isinstance(record, Meeting) else record.meeting
    form = forms.ConfidentialityForm(
        request.POST or None, record=record, organisations=organisations_offered_to(user)
    )
    if request.method == "POST" and form.is_valid():
        if not form_token_claim(request):
            return repeat_submit(request, shown_at(record))
        try:
            confidentiality_set(record=record, by=user, **forms.confidentiality_values(form))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Who may see it is saved."))
            return redirect(shown_at(record))
    return render(
        request,
        "meetings/confidentiality.html",
        {
            "nav": "actions" if kind == "action-point" else "meetings",
            "meeting": meeting,
            "record": record,
            "kind": kind,
            "question": question,
            "form": form,
            "trail": confidentiality_trail(record),
            "back_url": shown_at(record),
            "can_manage": True,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
