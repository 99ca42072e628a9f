"""The admin shows and finds references, and refuses what the services refuse: a meeting
held before it starts, moved into the past or created there, with nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import CoordinationGroup
from meetings.models import Meeting
from meetings.services import (
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
)
from notices.models import Notice

pytestmark = pytest.mark.django_db


def _meeting(cast, *, days: float, title: str, **fields) -> Meeting:
    start = timezone.now() + dt.timedelta(days=days)
    return meeting_create(
        group=cast.mwg,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        **fields,
    )


@pytest.fixture
def meetings(cast):
    CoordinationGroup.objects.filter(pk=cast.mwg.pk).update(reference_code="MWG")
    upcoming = _meeting(cast, days=10, title="Quarterly meeting")
    invitation_create(meeting=upcoming, person=cast.member_person, by=None)
    upcoming = meeting_schedule(meeting=upcoming, by=None)
    other = meeting_schedule(meeting=_meeting(cast, days=12, title="Other meeting"), by=None)
    held = meeting_mark_held(
        meeting=_meeting(cast, days=-3, title="Held meeting", record_past=True), by=None
    )
    decision_add(meeting=held, text="Adopt the work plan.", by=None)
    return upcoming, other, held


def _state(meeting: Meeting) -> tuple:
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (
        meeting.status,
        meeting.start_at,
        meeting.end_at,
        meeting.sequence,
        meeting.reference,
        meeting.history.count(),
        Notice.objects.filter(meeting=meeting).count(),
    )


def _form(meeting: Meeting, start: dt.datetime, **overrides) -> dict:
    start = timezone.localtime(start)
    end = start + dt.timedelta(hours=2)
    invited = str(meeting.invitations.count()) if meeting.pk else "0"
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "start_at_0": start.date().isoformat(),
        "start_at_1": start.time().isoformat(timespec="minutes"),
        "end_at_0": end.date().isoformat(),
        "end_at_1": end.time().isoformat(timespec="minutes"),
        "time_zone": meeting.time_zone,
        "venue": meeting.venue,
        "online_url": meeting.online_url,
        "description": meeting.description,
        "agenda_items-TOTAL_FORMS": "0",
        "agenda_items-INITIAL_FORMS": "0",
        "invitations-TOTAL_FORMS": invited,
        "invitations-INITIAL_FORMS": invited,
    }
    data.update(overrides)
    return data


def test_the_meetings_list_shows_and_finds_references(client, cast, meetings):
    upcoming, other, _held = meetings
    client.force_login(cast.admin)
    url = reverse("admin:meetings_meeting_changelist")

    everything = client.get(url).content.decode()
    found = client.get(url, {"q": upcoming.reference}).content.decode()

    assert upcoming.reference in everything
    assert other.reference in everything
    assert upcoming.reference in found
    assert other.reference not in found
    assert "Quarterly meeting" in found
    assert "Other meeting" not in found


def test_the_reference_is_shown_read_only_on_the_meeting(client, cast, meetings):
    upcoming, _other, _held = meetings
    client.force_login(cast.admin)

    page = client.get(reverse("admin:meetings_meeting_change", args=[upcoming.pk]))

    text = page.content.decode()
    assert upcoming.reference in text
    assert 'name="reference"' not in text


def test_decisions_are_found_by_reference(client, cast, meetings):
    _upcoming, _other, held = meetings
    client.force_login(cast.admin)

    page = client.get(reverse("admin:meetings_decision_changelist"), {"q": f"{held.reference}/D1"})

    text = page.content.decode()
    assert f"{held.reference}/D1" in text
    assert "Adopt the work plan." in text


def test_the_admin_moves_no_meeting_into_the_past(client, cast, meetings):
    upcoming, _other, _held = meetings
    before = _state(upcoming)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:meetings_meeting_change", args=[upcoming.pk]),
        _form(upcoming, timezone.now() - dt.timedelta(days=1)),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["start_at"] == ["A meeting cannot be moved into the past."]
    assert _state(upcoming) == before


def test_the_admin_still_moves_a_meeting_within_the_future(client, cast, meetings):
    upcoming, _other, _held = meetings
    client.force_login(cast.admin)
    later = upcoming.start_at + dt.timedelta(days=1)

    response = client.post(
        reverse("admin:meetings_meeting_change", args=[upcoming.pk]), _form(upcoming, later)
    )

    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.start_at == later.replace(second=0, microsecond=0)
    assert upcoming.reference.startswith("MWG/")


def test_the_admin_creates_no_meeting_in_the_past(client, cast, meetings):
    client.force_login(cast.admin)
    count = Meeting.objects.count()
    data = _form(Meeting(title="Yesterday"), timezone.now() - dt.timedelta(days=1))
    data["group"] = cast.mwg.pk

    response = client.post(reverse("admin:meetings_meeting_add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["start_at"] == ["A new meeting cannot start in the past."]
    assert Meeting.objects.count() == count


def test_the_admin_marks_no_meeting_held_before_it_starts(client, cast, meetings):
    upcoming, _other, _held = meetings
    before = _state(upcoming)
    client.force_login(cast.admin)

    response = client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "mark_held", "_selected_action": [upcoming.pk]},
        follow=True,
    )

    assert "A meeting cannot be held before it starts." in response.content.decode()
    assert _state(upcoming) == before
