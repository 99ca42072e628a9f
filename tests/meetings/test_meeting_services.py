import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import ActionPoint, Invitation, Meeting, Minutes
from meetings.selectors import action_points_carried_into, action_points_overdue, meeting_list
from meetings.services import (
    action_point_create,
    action_point_report,
    action_point_update,
    agenda_item_add,
    agenda_item_remove,
    agenda_reorder,
    attendance_record,
    invitation_create,
    invitation_respond,
    invitations_create_for_group,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.factories import MeetingFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _future(cast, **fields):
    start = timezone.now() + dt.timedelta(days=10)
    return meeting_create(
        group=cast.mwg,
        title="Next meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        **fields,
    )


def _held(cast, group=None):
    start = timezone.now() - dt.timedelta(days=10)
    meeting = meeting_create(
        group=group or cast.mwg,
        title="Last meeting",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    return meeting_mark_held(meeting=meeting, by=cast.secretariat)


def test_meeting_must_end_after_it_starts(cast):
    start = timezone.now() + dt.timedelta(days=1)

    with pytest.raises(ValidationError, match="must end after it starts"):
        meeting_create(
            group=cast.mwg,
            title="Backwards",
            start_at=start,
            end_at=start - dt.timedelta(minutes=1),
            by=cast.secretariat,
        )
    assert not Meeting.objects.filter(title="Backwards").exists()


def test_database_refuses_a_meeting_ending_before_it_starts(cast):
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(group=cast.mwg, title="Bad", start_at=start, end_at=start)


def test_unknown_time_zone_is_refused(cast):
    with pytest.raises(ValidationError, match="not a time zone name"):
        _future(cast, time_zone="Libya/Nowhere")


def test_meeting_keeps_aware_times_and_its_zone(cast):
    meeting = _future(cast, time_zone="Europe/Rome")
    meeting.refresh_from_db()

    assert timezone.is_aware(meeting.start_at)
    assert meeting.start_at.astimezone(meeting.zone).tzinfo.key == "Europe/Rome"


def test_life_cycle_draft_scheduled_held(cast):
    meeting = _future(cast)
    assert meeting.status == Meeting.Status.DRAFT

    meeting = meeting_schedule(meeting=meeting, by=cast.secretariat)
    assert meeting.status == Meeting.Status.SCHEDULED

    with pytest.raises(ValidationError, match="cannot be held before it starts"):
        meeting_mark_held(meeting=meeting, by=cast.secretariat)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_scheduling_twice_is_refused(cast):
    meeting = meeting_schedule(meeting=_future(cast), by=cast.secretariat)

    with pytest.raises(ValidationError, match="A scheduled meeting cannot be scheduled"):
        meeting_schedule(meeting=meeting, by=cast.secretariat)


def test_changing_time_of_scheduled_meeting_raises_sequence(cast):
    meeting = meeting_schedule(meeting=_future(cast), by=cast.secretariat)

    meeting = meeting_update(
        meeting=meeting,
        start_at=meeting.start_at + dt.timedelta(hours=1),
        end_at=meeting.end_at + dt.timedelta(hours=1),
        by=cast.secretariat,
    )
    assert meeting.sequence == 1
    meeting = meeting_update(meeting=meeting, title="Renamed", by=cast.secretariat)
    assert meeting.sequence == 1


def test_cancelled_meeting_cannot_be_held_or_changed(cast):
    meeting = meeting_cancel(meeting=_future(cast), reason="No quorum", by=cast.secretariat)

    with pytest.raises(ValidationError, match="cancelled meeting cannot be changed"):
        meeting_update(meeting=meeting, title="Back", by=cast.secretariat)
    with pytest.raises(ValidationError, match="cancelled meeting cannot be marked as held"):
        meeting_mark_held(meeting=meeting, by=cast.secretariat)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.title) == (Meeting.Status.CANCELLED, "Next meeting")


def test_held_meeting_cannot_be_cancelled(cast):
    meeting = _held(cast)

    with pytest.raises(ValidationError, match="A held meeting cannot be cancelled"):
        meeting_cancel(meeting=meeting, by=cast.secretariat)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_minutes_go_draft_approved_published(cast):
    meeting = _held(cast)
    minutes = minutes_save(meeting=meeting, body="We met.", by=cast.secretariat)

    with pytest.raises(ValidationError, match="approved before they are published"):
        minutes_publish(minutes=minutes, by=cast.secretariat)
    minutes = minutes_publish(
        minutes=minutes_approve(minutes=minutes, by=cast.chair), by=cast.secretariat
    )

    assert minutes.status == Minutes.Status.PUBLISHED
    assert minutes.approved_by == cast.chair
    with pytest.raises(ValidationError, match="Published minutes cannot be changed"):
        minutes_save(meeting=meeting, body="Rewritten", by=cast.secretariat)
    minutes.refresh_from_db()
    assert minutes.body == "We met."


def test_rewriting_approved_minutes_needs_approval_again(cast):
    meeting = _held(cast)
    minutes = minutes_approve(minutes=minutes_save(meeting=meeting, body="v1", by=None), by=None)

    minutes = minutes_save(meeting=meeting, body="v2", by=None)

    assert (minutes.status, minutes.approved_at) == (Minutes.Status.DRAFT, None)


def test_minutes_of_a_cancelled_meeting_cannot_be_published(cast):
    # A cancelled meeting never takes minutes, and minutes made before a (forced)
    # cancellation cannot be published: the service checks the meeting under lock.
    meeting = _held(cast)
    minutes = minutes_approve(minutes=minutes_save(meeting=meeting, body="x", by=None), by=None)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)

    with pytest.raises(ValidationError, match="Minutes of a cancelled meeting cannot be published"):
        minutes_publish(minutes=minutes, by=cast.secretariat)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED


def test_minutes_are_only_for_held_meetings(cast):
    with pytest.raises(ValidationError, match="A draft meeting cannot be given minutes"):
        minutes_save(meeting=_future(cast), body="Too early", by=None)
    assert not Minutes.objects.exists()


def test_agenda_items_are_numbered_reordered_and_closed_up(cast):
    meeting = _future(cast)
    first, second, third = (
        agenda_item_add(meeting=meeting, title=title, by=None) for title in ("A", "B", "C")
    )

    agenda_reorder(meeting=meeting, item_ids=[third.pk, first.pk, second.pk], by=None)
    assert list(meeting.agenda_items.values_list("title", "position")) == [
        ("C", 1),
        ("A", 2),
        ("B", 3),
    ]
    agenda_item_remove(item=meeting.agenda_items.get(title="A"), by=None)
    assert list(meeting.agenda_items.values_list("title", "position")) == [("C", 1), ("B", 2)]


def test_reorder_must_list_every_item_once(cast):
    meeting = _future(cast)
    first = agenda_item_add(meeting=meeting, title="A", by=None)
    agenda_item_add(meeting=meeting, title="B", by=None)

    with pytest.raises(ValidationError, match="exactly once"):
        agenda_reorder(meeting=meeting, item_ids=[first.pk, first.pk], by=None)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["A", "B"]


def test_one_invitation_per_person_per_meeting(cast):
    meeting = _future(cast)
    invitation_create(meeting=meeting, person=cast.member_person, by=None)

    with pytest.raises(ValidationError, match="already invited"):
        invitation_create(meeting=meeting, person=cast.member_person, by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(meeting=meeting, person=cast.member_person)
    assert meeting.invitations.count() == 1


def test_inviting_the_group_reaches_seat_holders_and_representatives_once(cast):
    meeting = _future(cast)
    invitation_create(meeting=meeting, person=cast.member_person, by=None)

    invitations_create_for_group(meeting=meeting, by=None)
    invitations_create_for_group(meeting=meeting, by=None)

    invited = set(meeting.invitations.values_list("person__full_name", flat=True))
    assert invited == {
        "Jaalal Alashi",
        "Othman Belbeisi",
        "Amina Health",
        "Karim Alternate",
        "Marco Observer",
    }
    assert meeting.invitations.get(person=cast.member_person).organisation == cast.moh


def test_sending_an_alternate_from_the_same_organisation(cast):
    meeting = _future(cast)
    invitation = invitation_create(meeting=meeting, person=cast.member_person, by=None)
    meeting_schedule(meeting=meeting, by=None)

    invitation = invitation_respond(
        invitation=invitation, response="alternate", alternate=cast.member_colleague, by=cast.member
    )

    assert (invitation.response, invitation.alternate) == ("alternate", cast.member_colleague)
    assert invitation.responded_by == cast.member


def test_alternate_from_another_organisation_is_refused(cast):
    meeting = _future(cast)
    invitation = invitation_create(meeting=meeting, person=cast.member_person, by=None)
    meeting_schedule(meeting=meeting, by=None)

    with pytest.raises(ValidationError, match="does not work for Ministry of Health"):
        invitation_respond(
            invitation=invitation,
            response="alternate",
            alternate=cast.outsider_person,
            by=cast.member,
        )
    invitation.refresh_from_db()
    assert (invitation.response, invitation.alternate) == ("pending", None)


def test_answers_close_when_the_meeting_is_not_scheduled(cast):
    meeting = _future(cast)
    invitation = invitation_create(meeting=meeting, person=cast.member_person, by=None)

    with pytest.raises(ValidationError, match="The meeting is draft; answers are closed."):
        invitation_respond(invitation=invitation, response="accepted", by=cast.member)


def test_database_ties_the_alternate_to_the_answer(cast):
    meeting = MeetingFactory(group=cast.mwg)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            meeting=meeting,
            person=cast.member_person,
            response="accepted",
            alternate=cast.member_colleague,
        )


def test_attendance_includes_people_not_invited(cast):
    meeting = _held(cast)
    invited = invitation_create(meeting=_future(cast), person=cast.member_person, by=None)
    guest = PersonFactory(full_name="Visiting expert", organisation=cast.iom)

    attendance_record(meeting=meeting, person=guest, by=None)
    with pytest.raises(ValidationError, match="already in the register"):
        attendance_record(meeting=meeting, person=guest, by=None)

    row = meeting.attendance.get()
    assert (row.person, row.organisation, row.invitation) == (guest, cast.iom, None)
    assert invited.meeting != meeting


def test_attendance_waits_for_the_meeting_to_start(cast):
    meeting = meeting_schedule(meeting=_future(cast), by=None)

    with pytest.raises(ValidationError, match="once the meeting has started"):
        attendance_record(meeting=meeting, person=cast.member_person, by=None)
    assert not meeting.attendance.exists()


def test_action_points_are_carried_until_closed(cast):
    earlier = _held(cast)
    action = action_point_create(
        meeting=earlier,
        title="Map services",
        owner_organisation=cast.moh,
        owner_person=cast.member_person,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        by=None,
    )
    later = _future(cast)

    assert list(action_points_carried_into(later)) == [action]
    assert list(action_points_overdue(queryset=ActionPoint.objects.all())) == [action]

    action_point_report(action_point=action, status="done", progress="Mapped.", by=cast.member)
    action.refresh_from_db()
    assert action.closed_at is not None
    assert not action_points_carried_into(later).exists()
    assert not action_points_overdue(queryset=ActionPoint.objects.all()).exists()

    action_point_report(action_point=action, status="open", by=cast.member)
    action.refresh_from_db()
    assert (action.status, action.closed_at) == ("open", None)


def test_action_point_owner_must_work_for_the_owner_organisation(cast):
    meeting = _held(cast)
    with pytest.raises(ValidationError, match="does not work for Ministry of Health"):
        action_point_create(
            meeting=meeting,
            title="x",
            owner_organisation=cast.moh,
            owner_person=cast.chair_person,
            due_on=timezone.localdate(),
            by=None,
        )
    action = action_point_create(
        meeting=meeting,
        title="x",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=None,
    )
    with pytest.raises(ValidationError, match="does not work for Ministry of Health"):
        action_point_update(action_point=action, owner_person=cast.chair_person, by=None)
    action.refresh_from_db()
    assert action.owner_person is None


def test_database_ties_closed_at_to_status(cast):
    meeting = _held(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPoint.objects.create(
            meeting=meeting,
            title="x",
            owner_organisation=cast.moh,
            due_on=timezone.localdate(),
            status="done",
        )


def test_meeting_list_counts_invitations_and_acceptances(cast, django_assert_max_num_queries):
    meeting = _future(cast)
    invitations_create_for_group(meeting=meeting, by=None)
    meeting_schedule(meeting=meeting, by=None)
    for invitation in meeting.invitations.all()[:2]:
        invitation_respond(invitation=invitation, response="accepted", by=None)

    with django_assert_max_num_queries(1):
        row = meeting_list(queryset=Meeting.objects.filter(pk=meeting.pk)).get()
        assert row.group.name == "Migration Working Group"

    assert (row.invited_count, row.accepted_count) == (5, 2)


def test_changes_are_recorded_with_who_made_them(cast):
    meeting = _future(cast)
    meeting_schedule(meeting=meeting, by=cast.chair)

    history = list(
        meeting.history.order_by("history_date").values_list(
            "status", "history_user__username", "history_type"
        )
    )
    assert history == [("draft", "secretariat", "+"), ("scheduled", "chair", "~")]
