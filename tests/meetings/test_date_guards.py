"""A meeting is not created in the past (unless recorded afterwards), not moved into
the past, and not marked held before it starts: the services' rules, which the pages,
the API and the admin reach (tests/pages, tests/api, tests/portal)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import (
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
)
from notices.models import Notice

pytestmark = pytest.mark.django_db
MOVED = "A meeting cannot be moved into the past."


def _create(cast, start: dt.datetime, **fields) -> Meeting:
    return meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        **fields,
    )


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


def test_a_new_meeting_cannot_start_in_the_past(cast):
    with pytest.raises(ValidationError) as refusal:
        _create(cast, timezone.now() - dt.timedelta(hours=1))

    assert refusal.value.message_dict == {"start_at": ["A new meeting cannot start in the past."]}
    assert not Meeting.objects.exists()


def test_a_meeting_may_start_in_the_minute_it_is_created(cast):
    # Times are kept to the minute: now, cut to the minute, lies a little in the past.
    meeting = _create(cast, timezone.now())

    assert meeting.start_at == meeting.start_at.replace(second=0, microsecond=0)
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_meeting_that_took_place_may_be_recorded_afterwards(cast):
    meeting = _create(cast, timezone.now() - dt.timedelta(days=3), record_past=True)

    assert meeting_mark_held(meeting=meeting, by=cast.secretariat).status == Meeting.Status.HELD


@pytest.mark.parametrize("status", ["draft", "scheduled"])
def test_a_meeting_cannot_be_moved_into_the_past(cast, status):
    meeting = _create(cast, timezone.now() + dt.timedelta(days=5))
    if status == "scheduled":
        meeting = meeting_schedule(meeting=meeting, by=cast.secretariat)
    before = _state(meeting)
    yesterday = timezone.now() - dt.timedelta(days=1)

    with pytest.raises(ValidationError) as refusal:
        meeting_update(
            meeting=meeting,
            start_at=yesterday,
            end_at=yesterday + dt.timedelta(hours=2),
            by=cast.secretariat,
        )

    assert refusal.value.message_dict == {"start_at": [MOVED]}
    assert _state(meeting) == before


def test_a_meeting_under_way_cannot_be_ended_in_the_past(cast):
    meeting = _create(cast, timezone.now() - dt.timedelta(hours=1), record_past=True)
    before = _state(meeting)

    with pytest.raises(ValidationError) as refusal:
        meeting_update(
            meeting=meeting, end_at=timezone.now() - dt.timedelta(minutes=30), by=cast.secretariat
        )

    assert refusal.value.message_dict == {"end_at": [MOVED]}
    assert _state(meeting) == before


def test_a_meeting_under_way_can_still_be_changed_without_moving_it(cast):
    meeting = _create(cast, timezone.now() - dt.timedelta(hours=1), record_past=True)

    meeting = meeting_update(
        meeting=meeting,
        start_at=meeting.start_at,
        end_at=meeting.end_at + dt.timedelta(hours=1),
        venue="Room 2",
        by=cast.secretariat,
    )

    assert meeting.venue == "Room 2"


def test_a_meeting_cannot_be_held_before_it_starts(cast):
    meeting = meeting_schedule(
        meeting=_create(cast, timezone.now() + dt.timedelta(days=2)), by=cast.secretariat
    )
    before = _state(meeting)

    with pytest.raises(ValidationError) as refusal:
        meeting_mark_held(meeting=meeting, by=cast.secretariat)

    assert refusal.value.message_dict == {
        "start_at": ["A meeting cannot be held before it starts."]
    }
    assert _state(meeting) == before
