"""Official references: MWG/2026/04 for the 4th meeting the group scheduled in 2026,
MWG/2026/04/D3 for its third decision; given once, never again."""

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import CoordinationGroup
from meetings.models import Decision, Meeting, ReferenceCounter
from meetings.references import decision_reference, reference_assign
from meetings.services import (
    decision_add,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
)
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db
TRIPOLI = zoneinfo.ZoneInfo("Africa/Tripoli")
NEXT_YEAR = timezone.now().year + 1


def _coded(group: CoordinationGroup, code: str) -> CoordinationGroup:
    CoordinationGroup.objects.filter(pk=group.pk).update(reference_code=code)
    group.refresh_from_db()
    return group


def _draft(group, start: dt.datetime, title: str = "Meeting", **fields) -> Meeting:
    return meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        **fields,
    )


def _scheduled(group, start: dt.datetime, title: str = "Meeting", **fields) -> Meeting:
    return meeting_schedule(meeting=_draft(group, start, title, **fields), by=None)


def _on(month: int, day: int = 10, year: int = NEXT_YEAR) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=TRIPOLI)


def test_scheduling_gives_the_groups_next_number_of_the_year(cast):
    mwg = _coded(cast.mwg, "MWG")

    first = _scheduled(mwg, _on(3))
    second = _scheduled(mwg, _on(2))

    assert first.reference == f"MWG/{NEXT_YEAR}/01"
    # Numbered in the order they are scheduled, not the order they meet.
    assert second.reference == f"MWG/{NEXT_YEAR}/02"
    first.refresh_from_db()
    assert first.reference == f"MWG/{NEXT_YEAR}/01"
    assert ReferenceCounter.objects.get(group=mwg, year=NEXT_YEAR).last_number == 2


def test_each_group_and_each_year_counts_from_one(cast):
    mwg = _coded(cast.mwg, "MWG")
    _scheduled(mwg, _on(3))

    later_year = _scheduled(mwg, _on(1, year=NEXT_YEAR + 1))
    other_group = _scheduled(cast.health, _on(3))

    assert later_year.reference == f"MWG/{NEXT_YEAR + 1}/01"
    # A group without a reference code is known by its id.
    assert other_group.reference == f"G{cast.health.pk}/{NEXT_YEAR}/01"


def test_the_year_is_the_one_where_the_meeting_is(cast):
    mwg = _coded(cast.mwg, "MWG")
    # 31 December 20:00 UTC is already 1 January in Tokyo.
    start = dt.datetime(NEXT_YEAR, 12, 31, 20, 0, tzinfo=dt.UTC)

    meeting = _scheduled(mwg, start, time_zone="Asia/Tokyo")

    assert meeting.reference == f"MWG/{NEXT_YEAR + 1}/01"


def test_a_draft_has_no_reference_and_takes_no_number(cast):
    mwg = _coded(cast.mwg, "MWG")
    draft = _draft(mwg, _on(3))
    meeting_cancel(meeting=draft, by=None)

    draft.refresh_from_db()
    assert draft.reference == ""
    assert not ReferenceCounter.objects.filter(group=mwg).exists()
    assert _scheduled(mwg, _on(4)).reference == f"MWG/{NEXT_YEAR}/01"


def test_a_cancelled_meetings_number_is_never_given_again(cast):
    mwg = _coded(cast.mwg, "MWG")
    cancelled = meeting_cancel(meeting=_scheduled(mwg, _on(3)), by=None)

    after = _scheduled(mwg, _on(3, 11))

    cancelled.refresh_from_db()
    assert cancelled.reference == f"MWG/{NEXT_YEAR}/01"
    assert after.reference == f"MWG/{NEXT_YEAR}/02"


def test_scheduling_again_is_refused_and_keeps_the_reference(cast):
    mwg = _coded(cast.mwg, "MWG")
    meeting = _scheduled(mwg, _on(3))

    with pytest.raises(ValidationError, match="A scheduled meeting cannot be scheduled"):
        meeting_schedule(meeting=meeting, by=None)

    meeting.refresh_from_db()
    assert meeting.reference == f"MWG/{NEXT_YEAR}/01"
    assert ReferenceCounter.objects.get(group=mwg, year=NEXT_YEAR).last_number == 1


def test_reference_assign_keeps_a_reference_already_given(cast):
    mwg = _coded(cast.mwg, "MWG")
    meeting = _scheduled(mwg, _on(3))

    assert reference_assign(meeting) == f"MWG/{NEXT_YEAR}/01"
    assert ReferenceCounter.objects.get(group=mwg, year=NEXT_YEAR).last_number == 1


def test_a_meeting_moved_into_another_year_keeps_its_reference(cast):
    mwg = _coded(cast.mwg, "MWG")
    meeting = _scheduled(mwg, _on(12, 20))

    meeting = meeting_update(
        meeting=meeting,
        start_at=_on(1, 15, year=NEXT_YEAR + 1),
        end_at=_on(1, 15, year=NEXT_YEAR + 1) + dt.timedelta(hours=2),
        by=None,
    )

    meeting.refresh_from_db()
    assert meeting.reference == f"MWG/{NEXT_YEAR}/01"
    assert not ReferenceCounter.objects.filter(group=mwg, year=NEXT_YEAR + 1).exists()


def test_a_new_group_code_leads_new_references_only(cast):
    mwg = _coded(cast.mwg, "MWG")
    before = _scheduled(mwg, _on(3))
    mwg = _coded(mwg, "MIG")

    after = _scheduled(mwg, _on(4))

    before.refresh_from_db()
    assert before.reference == f"MWG/{NEXT_YEAR}/01"
    assert after.reference == f"MIG/{NEXT_YEAR}/02"


def test_a_code_another_group_used_before_skips_the_references_it_gave(cast):
    _scheduled(_coded(cast.mwg, "MWG"), _on(3))
    _coded(cast.mwg, "MIG")
    other = _coded(cast.other_wg, "MWG")

    meeting = _scheduled(other, _on(4))

    assert meeting.reference == f"MWG/{NEXT_YEAR}/02"


def test_a_meeting_recorded_after_it_was_held_gets_a_reference(cast):
    mwg = _coded(cast.mwg, "MWG")
    start = timezone.now() - dt.timedelta(days=3)
    meeting = _draft(mwg, start, record_past=True)

    meeting = meeting_mark_held(meeting=meeting, by=None)

    year = start.astimezone(meeting.zone).year
    assert meeting.reference.startswith(f"MWG/{year}/")
    meeting.refresh_from_db()
    assert meeting.reference


def test_decisions_carry_the_meetings_reference_and_their_number(cast):
    mwg = _coded(cast.mwg, "MWG")
    start = timezone.now() - dt.timedelta(days=3)
    meeting = meeting_mark_held(meeting=_draft(mwg, start, record_past=True), by=None)

    first = decision_add(meeting=meeting, text="Adopt the agenda.", by=None)
    second = decision_add(meeting=meeting, text="Map the services.", by=None)

    assert first.reference == f"{meeting.reference}/D1"
    assert second.reference == f"{meeting.reference}/D2"
    assert list(Decision.objects.filter(meeting=meeting).values_list("reference", flat=True)) == [
        f"{meeting.reference}/D1",
        f"{meeting.reference}/D2",
    ]


def test_decision_reference_format(cast):
    meeting = Meeting(group=cast.mwg, reference="MWG/2026/04")

    assert decision_reference(meeting, 3) == "MWG/2026/04/D3"
    assert decision_reference(Meeting(group=cast.mwg), 3) == ""


def test_the_service_numbers_on_from_the_references_the_migration_gave(cast):
    """Meetings that existed before references got theirs from migration 0006; the
    service reads the same and counts on from where the migration stopped."""
    group = _coded(cast.other_wg, "EWG")
    for day in (5, 3):
        MeetingFactory(
            group=group,
            status=Meeting.Status.SCHEDULED,
            start_at=_on(2, day),
            calendar_uid=f"old-{day}@example.org",
        )
    MeetingFactory(
        group=group,
        status=Meeting.Status.DRAFT,
        start_at=_on(2, 1),
        calendar_uid="old-draft@example.org",
    )
    migration = importlib.import_module("meetings.migrations.0006_references_series_quorum")

    migration.references_for_existing_meetings(apps, None)
    fresh = _scheduled(group, _on(6))

    given = list(
        Meeting.objects.filter(group=group).order_by("start_at").values_list("reference", flat=True)
    )
    assert given == ["", f"EWG/{NEXT_YEAR}/01", f"EWG/{NEXT_YEAR}/02", f"EWG/{NEXT_YEAR}/03"]
    assert fresh.reference == f"EWG/{NEXT_YEAR}/03"
    assert ReferenceCounter.objects.get(group=group, year=NEXT_YEAR).last_number == 3


def test_the_database_refuses_two_meetings_with_one_reference(cast):
    _scheduled(_coded(cast.mwg, "MWG"), _on(3))
    draft = _draft(cast.mwg, _on(4))
    draft.reference = f"MWG/{NEXT_YEAR}/01"

    with pytest.raises(ValidationError, match="Another meeting already has this reference"):
        draft.full_clean()
