"""A world of labelled meetings and records for the label tests, built once per module
through the services.

For each label of LABELS there is a Migration Working Group meeting carrying it (the
member and the observer invited), and a held "members" meeting of the group whose
agenda item, published minutes, decision and action point (owned by the Ministry of
Health) carry it. "named" is restricted to the Ministry of Health (the member's
organisation); "unnamed" to the Chamber of Commerce, for which nobody in the cast acts.
"""

import datetime as dt

import pytest
from django.utils import timezone

from groups.models import Confidentiality
from meetings.services import (
    action_point_create,
    agenda_item_add,
    decision_add,
    invitation_create,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from tests.conftest import PERSONAS

EVERYONE = (*PERSONAS, "anonymous")
LABELS = ("public", "members", "named", "unnamed")
STAFF = {"admin", "secretariat"}
MANAGERS = STAFF | {"chair", "cochair"}
VIEWERS = MANAGERS | {"member", "observer"}
SIGNED_IN = VIEWERS | {"outsider"}
# Who sees a meeting of the group carrying each label: a restricted one is not seen by
# an invitee whose organisation it does not name (the member and the observer are
# invited to each), but always by the group's chairs.
MEETING_SEEN_BY = {
    "public": SIGNED_IN,
    "members": VIEWERS,
    "named": MANAGERS | {"member"},
    "unnamed": MANAGERS,
}
# Who sees a record carrying each label on a "members" meeting: never more than see the
# meeting.
RECORD_SEEN_BY = {
    "public": VIEWERS,
    "members": VIEWERS,
    "named": MANAGERS | {"member"},
    "unnamed": MANAGERS,
}
# An action point is seen by the people of its owner organisation (the Ministry of
# Health: the member) whatever its label.
ACTION_POINT_SEEN_BY = {label: seen | {"member"} for label, seen in RECORD_SEEN_BY.items()}


def label_args(cast, label: str) -> dict:
    """The services' label arguments for one of LABELS."""
    return {
        "public": {"confidentiality": Confidentiality.PUBLIC},
        "members": {"confidentiality": Confidentiality.MEMBERS},
        "named": {"confidentiality": Confidentiality.RESTRICTED, "restricted_to": [cast.moh]},
        "unnamed": {
            "confidentiality": Confidentiality.RESTRICTED,
            "restricted_to": [cast.elsewhere],
        },
    }[label]


def build_label_world(cast) -> dict:
    now = timezone.now()
    soon, past = now + dt.timedelta(days=10), now - dt.timedelta(days=3)
    world: dict = {}
    for label in LABELS:
        args = label_args(cast, label)
        meeting = meeting_create(
            group=cast.mwg,
            title=f"MEETING-{label}",
            start_at=soon,
            end_at=soon + dt.timedelta(hours=2),
            by=None,
            **args,
        )
        invitation_create(meeting=meeting, person=cast.member_person, by=None)
        invitation_create(meeting=meeting, person=cast.observer_person, by=None)

        held = meeting_create(
            group=cast.mwg,
            title=f"HELD-{label}",
            start_at=past,
            end_at=past + dt.timedelta(hours=2),
            by=None,
            record_past=True,
            confidentiality=Confidentiality.MEMBERS,
        )
        item = agenda_item_add(meeting=held, title=f"AGENDA-{label}", by=None, **args)
        meeting_mark_held(meeting=held, by=None)
        minutes = minutes_save(meeting=held, body=f"MINUTES-{label}", by=None, **args)
        decision = decision_add(meeting=held, text=f"DECISION-{label}", by=None, **args)
        # Published after its decision: published minutes freeze them.
        minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)
        action = action_point_create(
            meeting=held,
            title=f"ACTION-{label}",
            owner_organisation=cast.moh,
            due_on=timezone.localdate() + dt.timedelta(days=30),
            by=None,
            **args,
        )
        world[f"meeting-{label}"] = meeting
        world[f"held-{label}"] = held
        world[f"agenda-item-{label}"] = item
        world[f"minutes-{label}"] = minutes
        world[f"decision-{label}"] = decision
        world[f"action-point-{label}"] = action
    return world


@pytest.fixture(scope="module")
def _label_world_rows(_cast_rows, django_db_blocker):
    with django_db_blocker.unblock():
        return build_label_world(_cast_rows)


@pytest.fixture
def label_world(_label_world_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _label_world_rows.items()}
