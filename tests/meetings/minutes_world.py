"""A held MWG meeting for the minutes' cycle tests, made through the services: two
agenda items, the group invited (MoFA's chair, IOM's co-chair, MoH's two people, the
embassy's observer), the MoH alternate's apologies, the chair and the member present,
a walk-in (the outsider), a decision and an action point; and a Ministry of Interior
that joined the group after the invitations went (a member of an organisation that was
not invited)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from groups.services import membership_create, representative_add
from meetings.models import Invitation, Meeting
from meetings.services import (
    action_point_create,
    agenda_item_add,
    attendance_record,
    decision_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
)
from members.services import organisation_create
from tests.conftest import LAUNCH, _person_with_login


@dataclass
class World:
    meeting: Meeting
    opening: object
    returns: object
    decision: object
    action_point: object
    interior: object  # the user of the uninvited member organisation
    interior_person: object


def build_world(cast, *, group=None) -> World:
    start = timezone.now() - dt.timedelta(days=3)
    meeting = meeting_create(
        group=group or cast.mwg,
        title="MWG: returns and reintegration",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    opening = agenda_item_add(meeting=meeting, title="Opening", by=cast.secretariat)
    returns = agenda_item_add(meeting=meeting, title="Voluntary returns", by=cast.secretariat)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    Invitation.objects.filter(meeting=meeting, person=cast.member_colleague).update(
        response=Invitation.Response.DECLINED
    )
    meeting = meeting_mark_held(meeting=meeting, by=cast.secretariat)
    attendance_record(meeting=meeting, person=cast.chair_person, by=cast.secretariat)
    attendance_record(meeting=meeting, person=cast.member_person, by=cast.secretariat)
    attendance_record(meeting=meeting, person=cast.outsider_person, by=cast.secretariat)
    decision = decision_add(
        meeting=meeting,
        text="Adopt the returns referral pathway.",
        agenda_item=returns,
        by=cast.secretariat,
    )
    action_point = action_point_create(
        meeting=meeting,
        title="Map the reintegration services",
        owner_organisation=cast.moh,
        owner_person=cast.member_person,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        decision=decision,
        by=cast.secretariat,
    )
    interior = organisation_create(
        name="Ministry of Interior", acronym="MoI", kind="ministry", by=None
    )
    interior_person = _person_with_login("interior", interior, "Idris Interior")
    seat = membership_create(group=cast.mwg, organisation=interior, start_on=LAUNCH, by=None)
    representative_add(membership=seat, person=interior_person, start_on=LAUNCH, by=None)
    return World(
        meeting=meeting,
        opening=opening,
        returns=returns,
        decision=decision,
        action_point=action_point,
        interior=interior_person.user,
        interior_person=interior_person,
    )
