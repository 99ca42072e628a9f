"""Two beat runs closing the same written procedure at the same moment close it once:
one decision, one set of outcome notices.

On PostgreSQL (CI) the transactions really overlap: the second run's conditional
UPDATE waits on the row the first claimed, then finds it no longer open. SQLite
queues writers anyway; the test runs on both.
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from decisions import services
from decisions.models import WrittenProcedure
from groups.models import CoordinationGroup, Membership
from groups.services import group_create, membership_create, representative_add
from meetings.models import Decision
from members.services import organisation_create, person_create
from notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)
SINCE = dt.date(2020, 1, 1)


@pytest.fixture
def due_procedure():
    framework = group_create(name="Framework", kind=CoordinationGroup.Kind.FRAMEWORK, by=None)
    group = group_create(
        name="Working group", kind=CoordinationGroup.Kind.WORKING_GROUP, parent=framework, by=None
    )
    for name, role in (("Ministry", "member"), ("Agency", "member"), ("Embassy", "observer")):
        organisation = organisation_create(name=name, kind="other", by=None)
        membership = membership_create(
            group=group, organisation=organisation, role=role, start_on=SINCE, by=None
        )
        person = person_create(
            full_name=f"{name} delegate",
            organisation=organisation,
            email=f"{name.lower()}@example.org",
            by=None,
        )
        representative_add(membership=membership, person=person, start_on=SINCE, by=None)
    procedure = services.procedure_create(
        group=group,
        title="Silence",
        text="Adopted unless objected to.",
        deadline=timezone.now() + dt.timedelta(days=2),
        by=None,
    )
    procedure = services.procedure_circulate(procedure=procedure, by=None)
    assert Membership.objects.filter(group=group).count() == 3
    WrittenProcedure.objects.filter(pk=procedure.pk).update(
        deadline=timezone.now() - dt.timedelta(seconds=5)
    )
    return procedure


@pytest.fixture
def slow_outcome(monkeypatch):
    """Between claiming the procedure and committing, the other run catches up: without
    the conditional claim both would adopt it."""
    original = services.announcements.procedure_outcome_announce

    def slow(procedure):
        time.sleep(0.3)
        return original(procedure)

    monkeypatch.setattr(services.announcements, "procedure_outcome_announce", slow)


def _close_together(procedure_id: int, runs: int) -> list[object]:
    start = threading.Barrier(runs)
    outcomes: list[object] = []

    def close() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(services.procedure_close(procedure_id=procedure_id))
        except Exception as error:
            outcomes.append(f"error: {error.__class__.__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_overlapping_closings_adopt_once(due_procedure, slow_outcome):
    outcomes = _close_together(due_procedure.pk, 2)

    assert sorted(outcomes, key=str) == [False, True]
    procedure = WrittenProcedure.objects.get(pk=due_procedure.pk)
    assert procedure.status == "adopted"
    assert Decision.objects.filter(reference=procedure.reference).count() == 1
    outcome_mail = Notice.objects.filter(kind="procedure_outcome", channel="email")
    assert sorted(outcome_mail.values_list("person__full_name", flat=True)) == [
        "Agency delegate",
        "Embassy delegate",
        "Ministry delegate",
    ]


def test_two_overlapping_beat_runs_close_once(due_procedure, slow_outcome):
    counts: list[int] = []
    start = threading.Barrier(2)

    def beat() -> None:
        try:
            start.wait(timeout=10)
            counts.append(services.procedures_close_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(counts) == [0, 1]
    assert Decision.objects.filter(meeting__isnull=True).count() == 1
    assert Notice.objects.filter(kind="procedure_outcome", channel="email").count() == 3
