"""The meetings not yet over (the dashboard's coming meetings, the list's "upcoming"):
those still to start and those running now, by start; over means ended."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from meetings.models import Invitation, Meeting
from meetings.permissions import invitations_to_answer_by, invitations_unanswered_by
from meetings.selectors import (
    NotOver,
    invitations_awaiting_answer,
    meeting_filter,
    meetings_upcoming,
    not_over,
)
from tests.factories import InvitationFactory, MeetingFactory


def _meeting(uid: str, *, starts_in: dt.timedelta, lasts: dt.timedelta, **fields) -> Meeting:
    start = timezone.now() + starts_in
    return MeetingFactory(
        calendar_uid=f"{uid}@test.local", start_at=start, end_at=start + lasts, **fields
    )


def test_a_meeting_running_for_days_is_upcoming_until_it_ends(cast):
    workshop = _meeting(
        "workshop", starts_in=-dt.timedelta(days=3), lasts=dt.timedelta(days=5), group=cast.mwg
    )
    tomorrow = _meeting(
        "tomorrow", starts_in=dt.timedelta(days=1), lasts=dt.timedelta(hours=2), group=cast.mwg
    )
    ended = _meeting(
        "ended", starts_in=-dt.timedelta(hours=5), lasts=dt.timedelta(hours=2), group=cast.mwg
    )
    meetings = Meeting.objects.all()

    assert list(meeting_filter(queryset=meetings, when="upcoming")) == [workshop, tomorrow]
    assert list(meeting_filter(queryset=meetings, when="past")) == [ended]


def test_the_dashboard_lists_scheduled_meetings_not_over_soonest_first(cast):
    running = _meeting(
        "running",
        starts_in=-dt.timedelta(hours=1),
        lasts=dt.timedelta(hours=3),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    later = _meeting(
        "later",
        starts_in=dt.timedelta(days=2),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    _meeting(
        "draft",
        starts_in=dt.timedelta(days=1),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.DRAFT,
    )
    _meeting(
        "over",
        starts_in=-dt.timedelta(days=2),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )

    assert list(meetings_upcoming(queryset=Meeting.objects.all())) == [running, later]


def test_with_nothing_running_the_coming_meetings_are_those_still_to_start(cast):
    coming = _meeting(
        "coming",
        starts_in=dt.timedelta(hours=1),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )

    assert list(meetings_upcoming(queryset=Meeting.objects.all())) == [coming]


def test_answers_are_awaited_for_scheduled_meetings_until_they_end(cast):
    running = _meeting(
        "running-answer",
        starts_in=-dt.timedelta(days=1),
        lasts=dt.timedelta(days=3),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    ended = _meeting(
        "ended-answer",
        starts_in=-dt.timedelta(days=2),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    awaited = InvitationFactory(meeting=running, person=cast.member_person)
    InvitationFactory(meeting=ended, person=cast.member_person)

    assert list(invitations_awaiting_answer(queryset=Invitation.objects.all())) == [awaited]


def test_the_bound_is_read_from_the_end_index_in_one_query(cast, django_assert_num_queries):
    running = _meeting("running", starts_in=-dt.timedelta(days=2), lasts=dt.timedelta(days=3))
    _meeting("over", starts_in=-dt.timedelta(days=9), lasts=dt.timedelta(hours=2))
    _meeting("coming", starts_in=dt.timedelta(days=5), lasts=dt.timedelta(hours=2))
    now = timezone.now()

    with django_assert_num_queries(1) as captured:
        condition = not_over(now)

    where, _params = Meeting.objects.filter(condition).query.sql_with_params()
    # The end as an expression, which PostgreSQL does not take for independent of the
    # start (it estimated a few dozen coming meetings where a year's worth are); the
    # start from the bound read here.
    ends = 'COALESCE("meetings_meeting"."end_at", "meetings_meeting"."start_at") >= %s'
    assert ends in where
    assert '"meetings_meeting"."start_at" >= %s' in where
    bounds = [child for child in condition.children if isinstance(child, tuple)]
    assert bounds == [("start_at__gte", running.start_at)]
    sql = captured.captured_queries[0]["sql"]
    # MIN() of the bare start would let the planner walk the start index from its first
    # meeting; of an expression, it reads the few rows that end from now on.
    assert 'MIN(COALESCE("meetings_meeting"."start_at"' in sql
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = [row[-1] for row in cursor.fetchall()]
        assert any("COVERING INDEX" in step and "end_at>?" in step for step in plan), plan


def test_the_answers_a_member_still_owes_are_their_own_and_their_organisations_pending(cast):
    coming = _meeting(
        "owed",
        starts_in=dt.timedelta(days=3),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    own = InvitationFactory(meeting=coming, person=cast.member_person, organisation=cast.moh)
    colleagues = InvitationFactory(
        meeting=coming, person=cast.member_colleague, organisation=cast.moh
    )
    InvitationFactory(
        meeting=coming,
        person=cast.observer_person,
        organisation=cast.embassy,
    )
    answered = _meeting(
        "answered",
        starts_in=dt.timedelta(days=4),
        lasts=dt.timedelta(hours=2),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    InvitationFactory(
        meeting=answered,
        person=cast.member_person,
        organisation=cast.moh,
        response=Invitation.Response.ACCEPTED,
    )

    owed = invitations_unanswered_by(cast.member)

    assert set(owed) == {own, colleagues}
    assert set(invitations_to_answer_by(cast.member)) == {
        own,
        colleagues,
        *answered.invitations.all(),
    }
    # Each branch asks for pending answers itself, which lets SQLite read both indexes of
    # pending invitations (per person, per organisation) instead of every coming
    # meeting's invitations (which plan it takes depends on the tables' statistics:
    # `make bench` times it on a year of meetings).
    sql, _params = invitations_awaiting_answer(queryset=owed).query.sql_with_params()
    pending_each = (
        '(("meetings_invitation"."person_id" = %s AND "meetings_invitation"."response" = %s)'
        ' OR ("meetings_invitation"."organisation_id" IN (%s) AND'
        ' "meetings_invitation"."response" = %s))'
    )
    assert pending_each in sql


def test_a_bound_read_once_lists_what_the_time_lists(cast, django_assert_num_queries):
    running = _meeting(
        "bound-running",
        starts_in=-dt.timedelta(hours=1),
        lasts=dt.timedelta(hours=3),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    _meeting(
        "bound-over",
        starts_in=-dt.timedelta(days=2),
        lasts=dt.timedelta(hours=1),
        group=cast.mwg,
        status=Meeting.Status.SCHEDULED,
    )
    InvitationFactory(meeting=running, person=cast.member_person)
    now = timezone.now()
    with django_assert_num_queries(1):
        bound = NotOver.at(now)
    meetings, invitations = Meeting.objects.all(), Invitation.objects.all()

    assert list(meetings_upcoming(queryset=meetings, not_over=bound)) == list(
        meetings_upcoming(queryset=meetings, now=now)
    )
    assert list(meetings_upcoming(queryset=meetings, not_over=bound)) == [running]
    assert list(invitations_awaiting_answer(queryset=invitations, not_over=bound)) == list(
        invitations_awaiting_answer(queryset=invitations, now=now)
    )
    with django_assert_num_queries(0):
        meetings_upcoming(queryset=meetings, not_over=bound).query.sql_with_params()
