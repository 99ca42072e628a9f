"""portal.lookups.ids_in: the rows Django's `__in` finds, on a key and on a foreign key,
with each id passed as it is."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import AgendaItem, Meeting
from meetings.services import agenda_item_add, meeting_create
from portal.lookups import ids_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(cast):
    start = timezone.now() + dt.timedelta(days=14)
    made = [
        meeting_create(
            group=cast.mwg,
            title=f"Meeting {number}",
            start_at=start,
            end_at=start + dt.timedelta(hours=2),
            by=None,
        )
        for number in range(4)
    ]
    for meeting in made[:3]:
        for title in ("Opening", "Labour migration"):
            agenda_item_add(meeting=meeting, title=title, by=None)
    return made


def test_ids_in_finds_what_in_finds_on_a_foreign_key_and_on_the_key(meetings):
    chosen = [meetings[0].pk, meetings[2].pk, meetings[3].pk]

    by_foreign_key = AgendaItem.objects.filter(ids_in("meeting", chosen))
    by_key = Meeting.objects.filter(ids_in("pk", chosen))

    assert sorted(by_foreign_key.values_list("pk", flat=True)) == sorted(
        AgendaItem.objects.filter(meeting__in=chosen).values_list("pk", flat=True)
    )
    assert len(by_foreign_key) == 4
    assert sorted(by_key.values_list("pk", flat=True)) == sorted(chosen)


def test_each_id_is_passed_once_as_a_whole_number(meetings):
    first = meetings[0].pk
    queryset = Meeting.objects.filter(ids_in("pk", [first, str(first), first]))

    sql, params = queryset.query.sql_with_params()

    assert list(params) == [first]
    assert sql.count("%s") == 1
    assert [meeting.pk for meeting in queryset] == [first]


def test_no_ids_find_nothing_without_asking_the_database(meetings):
    with CaptureQueriesContext(connection) as queries:
        assert list(AgendaItem.objects.filter(ids_in("meeting", []))) == []
    assert len(queries) == 0


def test_an_id_that_is_no_number_is_refused(meetings):
    with pytest.raises(ValueError, match="invalid literal"):
        list(Meeting.objects.filter(ids_in("pk", ["one"])))
