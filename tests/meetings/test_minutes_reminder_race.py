"""The reminder that a comment period closes goes once, even when two beat runs
overlap: each run claims the draft with one conditional UPDATE, in the transaction that
writes its notices, and the second finds it claimed.

On PostgreSQL (CI) the two runs really overlap: both list the draft as due before
either claims it, and the slow announcement holds the first claim open while the
second tries. SQLite queues writers anyway."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from groups.models import CoordinationGroup
from groups.services import group_create, membership_create, representative_add
from meetings import announcements, minutes_cycle
from meetings.minutes_cycle import minutes_circulate, minutes_comment_reminders_send
from meetings.models import Minutes
from meetings.services import (
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    minutes_save,
)
from members.services import organisation_create, person_create
from notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def circulated():
    framework = group_create(name="Framework", kind=CoordinationGroup.Kind.FRAMEWORK, by=None)
    group = group_create(
        name="Working group", kind=CoordinationGroup.Kind.WORKING_GROUP, parent=framework, by=None
    )
    ministry = organisation_create(name="Ministry", kind="ministry", by=None)
    person = person_create(full_name="Rep", organisation=ministry, email="rep@example.org", by=None)
    seat = membership_create(
        group=group, organisation=ministry, start_on=dt.date(2020, 1, 1), by=None
    )
    representative_add(membership=seat, person=person, start_on=dt.date(2020, 1, 1), by=None)
    start = timezone.now() - dt.timedelta(days=2)
    meeting = meeting_create(
        group=group,
        title="Held",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    invitations_create_for_group(meeting=meeting, by=None)
    meeting_mark_held(meeting=meeting, by=None)
    minutes = minutes_save(meeting=meeting, body="## 1. Opening\nOpened.", by=None)
    return minutes_circulate(
        minutes=minutes, comments_until=timezone.now() + dt.timedelta(hours=10), by=None
    )


def test_two_overlapping_runs_remind_once(circulated, monkeypatch):
    original = announcements.comments_reminder_announce

    def slow(*args, **kwargs):
        # Holds the first claim open while the other run tries its own.
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(announcements, "comments_reminder_announce", slow)
    assert minutes_cycle.announcements is announcements
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(minutes_comment_reminders_send())
        except Exception as error:
            outcomes.append(f"error: {error.__class__.__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes, key=str) == [0, 1]
    assert Notice.objects.filter(kind=Notice.Kind.COMMENTS_REMINDER, channel="email").count() == 1
    assert Minutes.objects.get(pk=circulated.pk).comment_reminder_sent_at is not None


def test_a_second_run_after_the_first_reminds_nobody(circulated):
    assert minutes_comment_reminders_send() == 1
    assert minutes_comment_reminders_send() == 0
    assert Notice.objects.filter(kind=Notice.Kind.COMMENTS_REMINDER).count() == 1
