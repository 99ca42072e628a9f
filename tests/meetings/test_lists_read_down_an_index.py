"""Lists ordered by a column of another table read down that column's index and stop at
the page, however many years of rows are kept: the minutes (by their meeting's start)
and a group's open action points (by due date). The range that tells the planner so
holds every row, so none is left out, the oldest included."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from meetings.models import ActionPoint, Meeting, Minutes
from meetings.selectors import action_points_of_group_tree, minutes_list
from tests.factories import ActionPointFactory, GroupFactory, MeetingFactory, MinutesFactory

pytestmark = pytest.mark.django_db

EARLIEST = dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.UTC)


def _plan(queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


def _held(start_at: dt.datetime, uid: str, **fields) -> Meeting:
    return MeetingFactory(
        **fields,
        status=Meeting.Status.HELD,
        start_at=start_at,
        end_at=start_at + dt.timedelta(hours=2),
        calendar_uid=f"{uid}@test.local",
    )


def test_minutes_come_latest_meeting_first_the_oldest_possible_meeting_included():
    now = timezone.now()
    oldest = MinutesFactory(meeting=_held(EARLIEST, "oldest"))
    last_year = MinutesFactory(meeting=_held(now - dt.timedelta(days=365), "last-year"))
    last_week = MinutesFactory(meeting=_held(now - dt.timedelta(days=7), "last-week"))
    same_start = MinutesFactory(meeting=_held(last_week.meeting.start_at, "same-start"))

    listed = list(minutes_list(queryset=Minutes.objects.all()))

    assert listed == [last_week, same_start, last_year, oldest]


def test_a_groups_open_action_points_come_by_due_date_the_oldest_possible_included():
    top = GroupFactory()
    sub_group = GroupFactory(parent=top)
    meeting = _held(timezone.now() - dt.timedelta(days=30), "top", group=top)
    below = _held(timezone.now() - dt.timedelta(days=20), "below", group=sub_group)
    earliest = ActionPointFactory(meeting=below, due_on=dt.date.min)
    soon = ActionPointFactory(meeting=meeting, due_on=timezone.localdate())
    ActionPointFactory(meeting=_held(timezone.now(), "elsewhere"), due_on=dt.date.min)

    listed = list(
        action_points_of_group_tree(queryset=ActionPoint.objects.all(), group_id=top.pk).order_by(
            "due_on", "pk"
        )
    )

    assert listed == [earliest, soon]


def test_the_minutes_are_read_down_the_meetings_start_index():
    queryset = minutes_list(queryset=Minutes.objects.all())[:100]

    assert '"meetings_meeting"."start_at" >=' in str(queryset.query)
    if connection.vendor == "sqlite":
        plan = _plan(queryset)
        assert plan[0].startswith("SEARCH meetings_meeting USING INDEX"), plan
        assert "(start_at>?)" in plan[0], plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_a_big_groups_open_action_points_are_read_down_the_due_date_index():
    top = GroupFactory()
    queryset = action_points_of_group_tree(
        queryset=ActionPoint.objects.filter(status=ActionPoint.Status.OPEN), group_id=top.pk
    ).order_by("due_on", "pk")[:20]

    assert '"meetings_actionpoint"."due_on" >=' in str(queryset.query)
    if connection.vendor == "sqlite":
        plan = _plan(queryset)
        assert any("meetings_ac_status" in step and "due_on>?" in step for step in plan), plan
