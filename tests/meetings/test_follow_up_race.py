"""The portal's own agenda items exist once, however many writers add them at once.

On PostgreSQL (CI) the transactions really overlap: two meetings of a group created at
the same moment both look for the minutes to adopt (the minutes' row lock gives them to
one), and two writers ensuring the same meeting's items queue on its row lock (the
unique constraints would refuse a second item anyway). SQLite queues writers anyway.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from groups.models import CoordinationGroup
from groups.services import group_create
from meetings import follow_up
from meetings.models import AgendaItem, Meeting, Minutes
from meetings.services import meeting_create, meeting_mark_held, minutes_save

pytestmark = pytest.mark.django_db(transaction=True)
Kind = AgendaItem.Kind


@pytest.fixture
def group():
    framework = group_create(name="Framework", kind=CoordinationGroup.Kind.FRAMEWORK, by=None)
    return group_create(
        name="Working group", kind=CoordinationGroup.Kind.WORKING_GROUP, parent=framework, by=None
    )


def _create(group, title: str, days: int) -> Meeting:
    start = timezone.now() + dt.timedelta(days=days)
    return meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
        record_past=days < 0,
    )


def _together(*calls) -> list[str]:
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call) -> None:
        try:
            start.wait(timeout=10)
            call()
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(f"error: {error.__class__.__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_meetings_created_at_once_adopt_the_minutes_once(group):
    earlier = meeting_mark_held(meeting=_create(group, "Earlier", -10), by=None)
    minutes_save(meeting=earlier, body="Draft.", by=None)

    outcomes = _together(
        lambda: _create(group, "Next A", 10),
        lambda: _create(group, "Next B", 11),
    )

    assert outcomes == ["ok", "ok"]
    adoptions = AgendaItem.objects.filter(kind=Kind.MINUTES_ADOPTION, source_meeting=earlier)
    assert adoptions.count() == 1
    for meeting in Meeting.objects.exclude(pk=earlier.pk):
        assert meeting.agenda_items.filter(kind=Kind.ACTION_REVIEW).count() == 1
        positions = list(
            meeting.agenda_items.order_by("position").values_list("position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))


def test_ensuring_one_meeting_from_two_writers_adds_each_item_once(group):
    earlier = meeting_mark_held(meeting=_create(group, "Earlier", -10), by=None)
    meeting = _create(group, "Next", 10)
    # The minutes are written without the hook, so both writers find the adoption to add.
    Minutes.objects.create(meeting=earlier, body="Draft.", confidentiality="members")

    outcomes = _together(
        lambda: follow_up.agenda_follow_up_ensure(meeting=meeting, by=None),
        lambda: follow_up.agenda_follow_up_ensure(meeting=meeting, by=None),
    )

    assert outcomes == ["ok", "ok"]
    assert list(meeting.agenda_items.order_by("position").values_list("position", "kind")) == [
        (1, Kind.MINUTES_ADOPTION),
        (2, Kind.ACTION_REVIEW),
    ]
