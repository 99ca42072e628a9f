"""Pages of the notices app: resending a failed notice, and the personal calendar feed."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_POST, require_safe

from meetings.selectors import meetings_in_feed_of
from members.selectors import person_for_calendar_token
from notices.calendar import feed_calendar
from notices.permissions import notice_get_for_user
from notices.services import notice_resend


@login_required
@require_POST
def notice_resend_page(request, pk: int):
    """Send a failed notice again (secretariat and the meeting's chairs)."""
    notice = notice_get_for_user(request.user, pk, resend=True)
    try:
        notice_resend(notice=notice, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The notice is being sent again."))
    return redirect("dashboard")


def _feed_state(request, token: str) -> tuple[str, dt.datetime] | None:
    """The feed's version (ETag, Last-Modified), worked out once per request: both
    headers and the 304 test ask for it."""
    if not hasattr(request, "_tansiq_feed_state"):
        request._tansiq_feed_state = _feed_version(token)
    return request._tansiq_feed_state


def _feed_version(token: str) -> tuple[str, dt.datetime] | None:
    person = person_for_calendar_token(token)
    if person is None:
        return None
    state = meetings_in_feed_of(person).aggregate(
        count=Count("pk"), changed=Max("updated_at"), series_changed=Max("series__updated_at")
    )
    # With no meetings yet, the feed last changed when the person was added. A series'
    # change (its rule's time, its end) changes the feed even when no meeting row does.
    changed = max(
        (moment for moment in (state["changed"], state["series_changed"]) if moment),
        default=person.created_at,
    )
    return f'"{person.pk}-{state["count"]}-{changed.timestamp():.6f}"', changed


def _feed_etag(request, token: str) -> str | None:
    state = _feed_state(request, token)
    return state[0] if state else None


def _feed_last_modified(request, token: str) -> dt.datetime | None:
    state = _feed_state(request, token)
    return state[1] if state else None


@require_safe
@condition(etag_func=_feed_etag, last_modified_func=_feed_last_modified)
def calendar_feed(request, token: str):
    """The meetings a person is invited to; the secret in the URL is the only key.
    Calendar programs poll it: HEAD, ETag and Last-Modified let them do so for nothing
    while nothing changed (304)."""
    person = person_for_calendar_token(token)
    if person is None:
        raise Http404("No such calendar.")
    body = feed_calendar(
        meetings_in_feed_of(person),
        name=f"Tansiq — {person.full_name}",
        language=person.preferred_language,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tansiq.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
