"""A group's page lists its tree's latest meetings from the last year when that year
holds enough of them, and reaches back over the whole history only when it does not."""

import datetime as dt

from django.utils import timezone

from meetings.models import Meeting
from meetings.selectors import LATEST_LOOK_BACK, meetings_latest_of_group_tree
from tests.factories import MeetingFactory


def _meeting(group, days_from_now: int, uid: str) -> Meeting:
    start = timezone.now() + dt.timedelta(days=days_from_now)
    return MeetingFactory(group=group, start_at=start, calendar_uid=f"{uid}@test.local")


def test_the_latest_meetings_of_the_tree_come_newest_first_from_the_last_year(
    cast, django_assert_num_queries
):
    coming = _meeting(cast.mwg, 10, "coming")
    sub_group = _meeting(cast.health, -5, "sub-group")
    recent = _meeting(cast.mwg, -30, "recent")
    _meeting(cast.mwg, -400, "old")
    _meeting(cast.other_wg, -1, "other-group")

    # The group's tree, then the year's meetings.
    with django_assert_num_queries(2):
        latest = meetings_latest_of_group_tree(
            queryset=Meeting.objects.all(), group_id=cast.mwg.pk, count=3
        )

    assert latest == [coming, sub_group, recent]


def test_a_group_that_met_less_in_the_last_year_reaches_back_over_its_history(
    cast, django_assert_num_queries
):
    recent = _meeting(cast.mwg, -30, "recent")
    old = _meeting(cast.mwg, -LATEST_LOOK_BACK.days - 60, "old")
    older = _meeting(cast.health, -LATEST_LOOK_BACK.days - 400, "older")

    # One read more than a busy group's: the whole history.
    with django_assert_num_queries(3):
        latest = meetings_latest_of_group_tree(
            queryset=Meeting.objects.all(), group_id=cast.mwg.pk, count=5
        )

    assert latest == [recent, old, older]


def test_the_latest_meetings_are_those_the_reader_may_see(cast):
    shown = _meeting(cast.mwg, -3, "shown")
    hidden = _meeting(cast.mwg, -2, "hidden")

    latest = meetings_latest_of_group_tree(
        queryset=Meeting.objects.exclude(pk=hidden.pk), group_id=cast.mwg.pk, count=5
    )

    assert latest == [shown]
