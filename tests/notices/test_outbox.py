"""The outbox enqueues delivery only for rows it actually inserted, once per transaction."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from meetings.services import (
    action_point_create,
    action_points_remind_due,
    meeting_create,
    meeting_mark_held,
)
from notices import outbox
from notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(outbox, "dispatch_soon", lambda: calls.append(1))
    return calls


@pytest.fixture
def due_points(cast):
    past = timezone.now() - dt.timedelta(days=2)
    held = meeting_create(
        group=cast.mwg,
        title="Held",
        start_at=past,
        end_at=past + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=held, by=None)
    for days in (1, 2):
        action_point_create(
            meeting=held,
            title=f"Due in {days}",
            owner_organisation=cast.moh,
            owner_person=cast.member_person,
            due_on=timezone.localdate() + dt.timedelta(days=days),
            by=None,
        )


def test_a_beat_run_enqueues_once_and_a_second_run_not_at_all(
    due_points, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = action_points_remind_due()
    with django_capture_on_commit_callbacks(execute=True):
        second = action_points_remind_due()

    assert first == 2
    assert second == 0
    assert Notice.objects.filter(kind=Notice.Kind.ACTION_DUE).count() == 2
    assert len(enqueued) == 1


def test_a_rolled_back_savepoint_does_not_swallow_the_enqueue_of_its_parent(
    cast, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                outbox.notices_write(
                    kind=Notice.Kind.INVITATION,
                    version="a",
                    payload={},
                    people=[cast.member_person],
                )
                raise RuntimeError("the inner change fails")
        except RuntimeError:
            pass
        outbox.notices_write(
            kind=Notice.Kind.INVITATION, version="b", payload={}, people=[cast.member_person]
        )

    assert Notice.objects.count() == 1
    assert len(enqueued) == 1
