"""Helpers every page module uses."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from meetings.models import Invitation, Meeting
from meetings.permissions import meeting_get_for_user
from meetings.selectors import meeting_detail
from members.permissions import organisations_acted_for_by


def repeat_submit(request, url: str):
    messages.info(request, _("That form was already sent; nothing was changed twice."))
    return redirect(url)


def detail_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("meeting-detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def acted_for_ids(user) -> set[int]:
    return set(organisations_acted_for_by(user).values_list("pk", flat=True))


def loaded_meeting(user, meeting_id) -> Meeting:
    """The meeting through the funnel, then with its agenda, invitations and register."""
    meeting = meeting_get_for_user(user, meeting_id)
    return meeting_detail(queryset=Meeting.objects.filter(pk=meeting.pk)).get()


def rsvp_counts(invitations) -> list[tuple[str, str | Promise, int]]:
    counts = {value: 0 for value in Invitation.Response.values}
    for invitation in invitations:
        counts[invitation.response] += 1
    return [(value, label, counts[value]) for value, label in Invitation.Response.choices]
