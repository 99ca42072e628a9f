"""Two meetings of one group scheduled at the same moment get two numbers.

On PostgreSQL (CI) the transactions really overlap: without the counter's row lock both
read the same last number, and one scheduling fails on the unique reference. The first
meeting of a year also races to insert the counter's row. SQLite queues writers anyway.
"""

import datetime as dt
import threading
import time
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from groups.models import CoordinationGroup
from groups.services import group_create
from meetings import references
from meetings.models import Meeting, ReferenceCounter
from meetings.services import meeting_create, meeting_schedule

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timezone.now().year + 1


@pytest.fixture
def group():
    framework = group_create(name="Framework", kind=CoordinationGroup.Kind.FRAMEWORK, by=None)
    group = group_create(
        name="Working group", kind=CoordinationGroup.Kind.WORKING_GROUP, parent=framework, by=None
    )
    CoordinationGroup.objects.filter(pk=group.pk).update(reference_code="WG")
    return group


def _drafts(group, count: int) -> list[Meeting]:
    start = dt.datetime(YEAR, 5, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Africa/Tripoli"))
    return [
        meeting_create(
            group=group,
            title=f"Meeting {n}",
            start_at=start + dt.timedelta(days=n),
            end_at=start + dt.timedelta(days=n, hours=1),
            by=None,
        )
        for n in range(count)
    ]


def _schedule_together(meetings: list[Meeting]) -> list[str]:
    start = threading.Barrier(len(meetings))
    outcomes: list[str] = []

    def schedule(meeting: Meeting) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(meeting_schedule(meeting=meeting, by=None).reference)
        except Exception as error:
            outcomes.append(f"error: {error.__class__.__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=schedule, args=(meeting,)) for meeting in meetings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_numbering(monkeypatch):
    """Between reading the counter and writing it back, the other schedulings catch up:
    without the row lock they would all read the same number."""
    original = references.meeting_reference_format

    def slow(*args):
        time.sleep(0.2)
        return original(*args)

    monkeypatch.setattr(references, "meeting_reference_format", slow)


@pytest.mark.parametrize("counter_exists", [False, True])
def test_meetings_scheduled_at_once_get_different_numbers(group, slow_numbering, counter_exists):
    if counter_exists:
        ReferenceCounter.objects.create(group=group, year=YEAR, last_number=4)
    first = 5 if counter_exists else 1

    outcomes = _schedule_together(_drafts(group, 3))

    expected = [f"WG/{YEAR}/{number:02d}" for number in range(first, first + 3)]
    assert sorted(outcomes) == expected
    assert sorted(Meeting.objects.values_list("reference", flat=True)) == expected
    assert ReferenceCounter.objects.get(group=group, year=YEAR).last_number == first + 2
