"""The outbox enqueues delivery only for rows it actually inserted, once per transaction."""

import pytest
from django.db import transaction

from meetings.services import action_points_remind_due
from notices import outbox
from notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(outbox, "dispatch_soon", lambda: calls.append(1))
    return calls


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
