"""Meeting series through their services: made ahead, scheduled together, told once per
person, changed and cancelled as a whole, one meeting changed on its own."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import Representative
from groups.services import group_update, representative_add
from meetings.models import Invitation, Meeting, MeetingSeries
from meetings.series import occurrence_starts
from meetings.services import (
    meeting_cancel,
    meeting_delete_draft,
    meeting_schedule,
    meeting_update,
    series_cancel,
    series_create,
    series_extend_ahead,
    series_schedule,
    series_update,
)
from members.services import person_create
from notices.models import Notice
from tests.series import monthly_fields

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")
KIND = Notice.Kind
# The MWG's invitees: the chair and co-chair seat holders, the Ministry of Health's two
# representatives and the embassy's observer.
MWG_INVITEES = 5


def _fields(**overrides) -> dict:
    return monthly_fields(**{"venue": "Ministry of Foreign Affairs, Tripoli", **overrides})


@pytest.fixture
def monthly(cast):
    """Twelve monthly meetings of the MWG, all made ahead and scheduled."""
    series = series_create(group=cast.mwg, by=cast.secretariat, **_fields())
    return series_schedule(series=series, by=cast.secretariat)


def _occurrences(series) -> list[Meeting]:
    return list(series.occurrences.order_by("occurrence_start"))


def _state(series) -> list[tuple]:
    return list(
        series.occurrences.order_by("occurrence_start").values_list(
            "pk", "status", "start_at", "end_at", "venue", "title", "sequence"
        )
    )


def test_create_makes_the_meetings_due_as_drafts_and_tells_nobody(cast):
    series = series_create(
        group=cast.mwg,
        by=cast.secretariat,
        **_fields(
            create_ahead_days=70, count=None, ends_on=timezone.localdate() + dt.timedelta(days=365)
        ),
    )

    occurrences = _occurrences(series)
    horizon = timezone.now() + dt.timedelta(days=70)
    assert len(occurrences) == len([s for s in occurrence_starts(series) if s <= horizon])
    assert 1 <= len(occurrences) < 12
    assert {meeting.status for meeting in occurrences} == {Meeting.Status.DRAFT}
    first = occurrences[0]
    assert first.start_at.astimezone(ROME).day == 15
    assert first.start_at.astimezone(ROME).time() == dt.time(10, 0)
    assert first.end_at - first.start_at == dt.timedelta(hours=2)
    assert first.occurrence_start == first.start_at
    assert first.venue == "Ministry of Foreign Affairs, Tripoli"
    assert series.calendar_uid.startswith("series-")
    assert not Notice.objects.exists()


def test_the_first_meeting_is_made_even_beyond_the_create_ahead_days(cast):
    series = series_create(
        group=cast.mwg,
        by=cast.secretariat,
        **_fields(starts_on=timezone.localdate() + dt.timedelta(days=60), create_ahead_days=7),
    )

    assert series.occurrences.count() == 1


def test_schedule_sends_one_series_invitation_per_person_not_one_per_meeting(cast, monthly):
    occurrences = _occurrences(monthly)

    assert len(occurrences) == 12
    assert {meeting.status for meeting in occurrences} == {Meeting.Status.SCHEDULED}
    assert all(meeting.reference for meeting in occurrences)
    assert len({meeting.reference for meeting in occurrences}) == 12
    assert Invitation.objects.filter(meeting__series=monthly).count() == 12 * MWG_INVITEES
    emails = Notice.objects.filter(channel=Notice.Channel.EMAIL)
    assert set(emails.values_list("kind", flat=True)) == {KIND.SERIES_INVITATION}
    assert emails.count() == MWG_INVITEES
    assert set(emails.values_list("person_id", flat=True)) == {
        cast.chair_person.pk,
        cast.cochair_person.pk,
        cast.member_person.pk,
        cast.member_colleague.pk,
        cast.observer_person.pk,
    }
    notice = emails.first()
    assert notice.series_id == monthly.pk
    assert notice.meeting_id is None
    assert notice.payload["series"]["rule"] == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=12"
    assert len(notice.payload["occurrences"]) == 12


def test_scheduling_twice_is_refused_and_sends_nothing_more(cast, monthly):
    before = Notice.objects.count()

    with pytest.raises(ValidationError) as refused:
        series_schedule(series=monthly, by=cast.secretariat)

    assert "status" in refused.value.message_dict
    assert Notice.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"frequency": "weekly", "month_day": None}, "weekday"),
        ({"month_day": None}, "month_day"),
        ({"frequency": "monthly_weekday", "weekday": 1, "month_day": None}, "week_of_month"),
        ({"frequency": "monthly_weekday", "week_of_month": 2, "month_day": None}, "weekday"),
        ({"ends_on": dt.date(2031, 1, 1)}, "ends_on"),
        ({"count": None}, "ends_on"),
        ({"starts_on": dt.date(2020, 1, 1)}, "starts_on"),
        ({"interval": 0}, "interval"),
        ({"month_day": 31}, "month_day"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"count": None, "ends_on": dt.date(2020, 1, 1)}, "ends_on"),
        ({"frequency": "weekly", "weekday": 1, "count": 400}, "count"),
        ({"starts_on": dt.date(1999, 1, 1)}, "starts_on"),
    ],
)
def test_a_rule_that_does_not_hold_is_refused_naming_the_field_and_makes_nothing(
    cast, overrides, field
):
    with pytest.raises(ValidationError) as refused:
        series_create(group=cast.mwg, by=cast.secretariat, **_fields(**overrides))

    assert field in refused.value.message_dict
    assert not MeetingSeries.objects.exists()
    assert not Meeting.objects.exists()


def test_moving_one_meeting_leaves_the_others_as_they_were(cast, monthly):
    moved, *others = (
        _occurrences(monthly)[3:4] + _occurrences(monthly)[:3] + _occurrences(monthly)[4:]
    )
    before = {meeting.pk: (meeting.start_at, meeting.sequence) for meeting in others}
    notices_before = Notice.objects.count()

    meeting_update(
        meeting=moved,
        start_at=moved.start_at + dt.timedelta(days=1, hours=2),
        end_at=moved.end_at + dt.timedelta(days=1, hours=2),
        by=cast.secretariat,
    )

    moved.refresh_from_db()
    assert moved.detached_from_series
    assert moved.occurrence_start != moved.start_at
    for meeting in Meeting.objects.filter(pk__in=before):
        assert (meeting.start_at, meeting.sequence) == before[meeting.pk]
        assert not meeting.detached_from_series
    new = Notice.objects.order_by("pk")[notices_before:]
    assert {notice.kind for notice in new} == {KIND.UPDATE}
    assert {notice.meeting_id for notice in new} == {moved.pk}


def test_series_update_changes_the_future_meetings_not_changed_by_hand(cast, monthly):
    occurrences = _occurrences(monthly)
    moved = occurrences[2]
    meeting_update(meeting=moved, venue="Embassy of Italy, Tripoli", by=cast.secretariat)
    cancelled = meeting_cancel(meeting=occurrences[5], reason="Holiday", by=cast.secretariat)
    notices_before = Notice.objects.count()

    series_update(
        series=monthly,
        venue="IOM office, Tripoli",
        duration_minutes=90,
        by=cast.chair,
    )

    monthly.refresh_from_db()
    assert monthly.sequence == 1
    for meeting in monthly.occurrences.all():
        if meeting.pk == moved.pk:
            assert meeting.venue == "Embassy of Italy, Tripoli"
            assert meeting.end_at - meeting.start_at == dt.timedelta(hours=2)
        elif meeting.pk == cancelled.pk:
            assert meeting.status == Meeting.Status.CANCELLED
            assert meeting.venue == "Ministry of Foreign Affairs, Tripoli"
        else:
            assert meeting.venue == "IOM office, Tripoli"
            assert meeting.end_at - meeting.start_at == dt.timedelta(minutes=90)
    new = Notice.objects.filter(channel=Notice.Channel.EMAIL).order_by("pk")[notices_before:]
    assert [notice.kind for notice in new] == [KIND.SERIES_UPDATE] * MWG_INVITEES


def test_a_new_start_time_moves_the_slots_and_keeps_the_meetings_moved_by_hand(cast, monthly):
    occurrences = _occurrences(monthly)
    moved = meeting_update(
        meeting=occurrences[1],
        start_at=occurrences[1].start_at + dt.timedelta(hours=3),
        end_at=occurrences[1].end_at + dt.timedelta(hours=3),
        by=cast.secretariat,
    )
    moved_start = moved.start_at

    series_update(series=monthly, start_time=dt.time(11, 30), by=cast.secretariat)

    for meeting in monthly.occurrences.all():
        slot = meeting.occurrence_start.astimezone(ROME)
        assert slot.time() == dt.time(11, 30)
        assert slot.day == 15
        if meeting.pk == moved.pk:
            assert meeting.start_at == moved_start
        else:
            assert meeting.start_at == meeting.occurrence_start


def test_a_shorter_series_cancels_the_meetings_after_its_new_end(cast, monthly):
    series_update(series=monthly, count=10, by=cast.secretariat)

    statuses = [meeting.status for meeting in _occurrences(monthly)]
    assert statuses == [Meeting.Status.SCHEDULED] * 10 + [Meeting.Status.CANCELLED] * 2
    cancellations = Notice.objects.filter(kind=KIND.CANCELLATION)
    assert not cancellations.exists()


def test_a_longer_series_makes_and_schedules_the_new_meetings_due(cast, monthly):
    series_update(series=monthly, count=13, create_ahead_days=500, by=cast.secretariat)

    occurrences = _occurrences(monthly)
    assert len(occurrences) == 13
    assert occurrences[-1].status == Meeting.Status.SCHEDULED
    assert occurrences[-1].invitations.count() == MWG_INVITEES


@pytest.mark.parametrize(
    "change",
    [
        {"frequency": MeetingSeries.Frequency.WEEKLY},
        {"month_day": 16},
        {"starts_on": dt.date(2031, 1, 1)},
        {"count": 12, "ends_on": dt.date(2031, 1, 1)},
        {"calendar_uid": "mine"},
    ],
)
def test_series_update_refuses_what_it_cannot_change_and_changes_nothing(cast, monthly, change):
    before = _state(monthly)
    notices_before = Notice.objects.count()

    with pytest.raises(ValidationError):
        series_update(series=monthly, by=cast.secretariat, **change)

    monthly.refresh_from_db()
    assert monthly.sequence == 0
    assert _state(monthly) == before
    assert Notice.objects.count() == notices_before


def test_extend_ahead_makes_the_meetings_now_due_once_and_mails_only_newcomers(cast):
    series = series_create(group=cast.mwg, by=cast.secretariat, **_fields(create_ahead_days=45))
    series_schedule(series=series, by=cast.secretariat)
    made_first = series.occurrences.count()
    newcomer = person_create(
        full_name="Nadia Newcomer", organisation=cast.moh, email="nadia@example.org", by=None
    )
    representative_add(
        membership=cast.mwg.memberships.get(organisation=cast.moh),
        person=newcomer,
        kind=Representative.Kind.ALTERNATE,
        start_on=timezone.localdate(),
        by=None,
    )
    # Time passes: the horizon reaches the whole series.
    MeetingSeries.objects.filter(pk=series.pk).update(create_ahead_days=400)

    made = series_extend_ahead()
    again = series_extend_ahead()

    assert made == 12 - made_first
    assert again == 0
    occurrences = _occurrences(series)
    assert len(occurrences) == 12
    assert {meeting.status for meeting in occurrences} == {Meeting.Status.SCHEDULED}
    assert all(meeting.reference for meeting in occurrences)
    for meeting in occurrences[made_first:]:
        assert meeting.invitations.count() == MWG_INVITEES + 1
    invitations = Notice.objects.filter(kind=KIND.SERIES_INVITATION)
    assert invitations.count() == MWG_INVITEES + 1
    assert invitations.filter(person=newcomer).count() == 1
    assert not Notice.objects.filter(kind=KIND.INVITATION).exists()


def test_extend_ahead_leaves_a_series_not_yet_scheduled_in_draft(cast):
    series = series_create(group=cast.mwg, by=cast.secretariat, **_fields(create_ahead_days=45))
    MeetingSeries.objects.filter(pk=series.pk).update(create_ahead_days=400)

    series_extend_ahead()

    assert series.occurrences.count() == 12
    assert set(series.occurrences.values_list("status", flat=True)) == {Meeting.Status.DRAFT}
    assert not Notice.objects.exists()


def test_cancel_cancels_the_meetings_to_come_and_tells_each_person_once(cast, monthly):
    notices_before = Notice.objects.count()

    series_cancel(series=monthly, reason="The group meets quarterly now", by=cast.secretariat)

    monthly.refresh_from_db()
    assert monthly.status == MeetingSeries.Status.CANCELLED
    assert monthly.sequence == 1
    assert set(monthly.occurrences.values_list("status", flat=True)) == {Meeting.Status.CANCELLED}
    assert set(monthly.occurrences.values_list("cancellation_reason", flat=True)) == {
        "The group meets quarterly now"
    }
    new = Notice.objects.filter(channel=Notice.Channel.EMAIL).order_by("pk")[notices_before:]
    assert [notice.kind for notice in new] == [KIND.SERIES_CANCELLATION] * MWG_INVITEES
    assert new[0].payload["reason"] == "The group meets quarterly now"
    with pytest.raises(ValidationError):
        series_cancel(series=monthly, by=cast.secretariat)
    with pytest.raises(ValidationError):
        series_update(series=monthly, venue="Elsewhere", by=cast.secretariat)


def test_a_meeting_of_a_series_is_scheduled_with_it_and_never_deleted(cast):
    series = series_create(group=cast.mwg, by=cast.secretariat, **_fields(create_ahead_days=45))
    draft = _occurrences(series)[0]

    with pytest.raises(ValidationError):
        meeting_schedule(meeting=draft, by=cast.secretariat)
    with pytest.raises(ValidationError):
        meeting_delete_draft(meeting=draft, by=cast.secretariat)

    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT
    assert not Notice.objects.exists()


def test_a_meeting_inside_the_notice_period_needs_a_reason(cast):
    # The first meeting is 20 to 50 days away: inside a notice period of 60 days.
    group_update(group=cast.mwg, notice_period_days=60, by=None)
    series = series_create(group=cast.mwg, by=cast.secretariat, **_fields(create_ahead_days=45))

    with pytest.raises(ValidationError) as refused:
        series_schedule(series=series, by=cast.chair)

    assert "start_at" in refused.value.message_dict
    assert set(series.occurrences.values_list("status", flat=True)) == {Meeting.Status.DRAFT}
    assert not Invitation.objects.exists()
    assert not Notice.objects.exists()

    series_schedule(series=series, by=cast.chair, short_notice_reason="Urgent returns plan")

    first, *rest = _occurrences(series)
    assert first.short_notice_reason == "Urgent returns plan"
    assert first.short_notice_by == cast.chair
    assert all(
        not meeting.short_notice_reason
        for meeting in rest
        if meeting.start_at > timezone.now() + dt.timedelta(days=60)
    )
