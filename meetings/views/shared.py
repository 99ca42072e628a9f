"""Helpers every page module uses."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.permissions import meeting_get_for_user
from meetings.selectors import meeting_detail
from portal.audit import Actor


def repeat_submit(request, url: str):
    messages.info(request, _("That form was already sent; nothing was changed twice."))
    return redirect(url)


def detail_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("meeting-detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def loaded_meeting(user: Actor, meeting_id: int) -> Meeting:
    """The meeting through the funnel, then with its agenda, invitations and register."""
    meeting = meeting_get_for_user(user, meeting_id)
    return meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()
