"""Helpers every page module uses."""

import zoneinfo
from collections.abc import Callable

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.permissions import meetings_visible_to
from meetings.selectors import AgendaTimeline, agenda_timeline, meeting_detail_for_user
from portal import zones
from portal.audit import Actor


def repeat_submit(request, url: str):
    messages.info(request, _("That form was already sent; nothing was changed twice."))
    return redirect(url)


def detail_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("meeting-detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def loaded_meeting(
    user: Actor,
    meeting_id: int,
    *,
    read: Callable[..., QuerySet[Meeting]] | None = None,
) -> Meeting:
    """The meeting through the funnel, with its agenda, invitations and register, and
    the records of it the user may see; or, for a page that shows less, with what
    `read` joins (a selector of meetings.selectors, called with `queryset=`). One query
    with its joins: the funnel's condition rides in it (a 404 as meeting_get_for_user
    gives), rather than the meeting being read twice."""
    try:
        queryset = meetings_visible_to(user).filter(pk=meeting_id)
        if read is not None:
            return read(queryset=queryset).get()
        return meeting_detail_for_user(queryset=queryset, user=user).get()
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such meeting.")) from None


def agenda_shown(meeting: Meeting) -> AgendaTimeline:
    """The agenda's running times in the zone the page shows the meeting's times in (the
    reader's chosen zone, or the meeting's own), so they agree with its start and end."""
    return agenda_timeline(meeting, zone=zoneinfo.ZoneInfo(zones.shown_zone(meeting.time_zone)))
