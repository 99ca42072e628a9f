"""Pages of the notices app: resending a failed notice, and the personal calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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


@require_GET
def calendar_feed(request, token: str):
    """The meetings a person is invited to; the secret in the URL is the only key."""
    person = person_for_calendar_token(token)
    if person is None:
        raise Http404("No such calendar.")
    body = feed_calendar(meetings_in_feed_of(person), name=f"Tansiq — {person.full_name}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tansiq.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
