"""Pages of the notices app: resending a failed notice, and the personal calendar feed."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_POST, require_safe

from meetings.audience import Reader, seen_by
from meetings.models import Meeting
from meetings.selectors import meetings_in_feed_of
from members.models import Person
from members.selectors import person_for_calendar_token
from notices.calendar import feed_calendar
from notices.permissions import notice_get_for_user
from notices.selectors import labels_changed_at
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


@dataclass(frozen=True)
class Feed:
    """A person's calendar feed as served now: its meetings and its version."""

    person: Person
    meetings: list[Meeting]
    etag: str
    last_modified: dt.datetime


def _feed(request, token: str) -> Feed | None:
    """The feed of the secret's person, worked out once per request: both headers, the
    304 test and the body ask for it."""
    if not hasattr(request, "_tansiq_feed"):
        request._tansiq_feed = _feed_of(token)
    return request._tansiq_feed


def _feed_of(token: str) -> Feed | None:
    """The meetings the person is invited to and may see now (meetings.audience: a
    restricted meeting that names none of their organisations is left out), and the
    feed's version. The ETag follows the very meetings shown, so a meeting hidden or
    shown by a label changes it; Last-Modified also moves with a label changed on any
    of their meetings, for readers that only send If-Modified-Since."""
    person = person_for_calendar_token(token)
    if person is None:
        return None
    invited = list(meetings_in_feed_of(person))
    meetings = seen_by(Reader.of_person(person), invited)
    # A series' change (its rule's time, its end) changes the feed even when no meeting
    # row does.
    shown = [
        (meeting.pk, meeting.updated_at, meeting.series.updated_at if meeting.series else None)
        for meeting in meetings
    ]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:24]
    # With no meetings yet, the feed last changed when the person was added.
    moments = [moment for row in shown for moment in row[1:] if moment is not None]
    relabelled = labels_changed_at(Meeting, [meeting.pk for meeting in invited])
    changed = max([*moments, *([relabelled] if relabelled else [])], default=person.created_at)
    return Feed(
        person=person,
        meetings=meetings,
        etag=f'"{person.pk}-{len(meetings)}-{digest}"',
        last_modified=changed,
    )


def _feed_etag(request, token: str) -> str | None:
    feed = _feed(request, token)
    return feed.etag if feed else None


def _feed_last_modified(request, token: str) -> dt.datetime | None:
    feed = _feed(request, token)
    return feed.last_modified if feed else None


@require_safe
@condition(etag_func=_feed_etag, last_modified_func=_feed_last_modified)
def calendar_feed(request, token: str):
    """The meetings a person is invited to and may see; the secret in the URL is the
    only key. Calendar programs poll it: HEAD, ETag and Last-Modified let them do so for
    nothing while nothing changed (304)."""
    feed = _feed(request, token)
    if feed is None:
        raise Http404("No such calendar.")
    person = feed.person
    body = feed_calendar(
        feed.meetings,
        name=f"Tansiq — {person.full_name}",
        language=person.preferred_language,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tansiq.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
