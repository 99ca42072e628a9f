"""A world of searchable records, built once per module over the cast, each saying
"zanzibar": meetings, agenda items, minutes, decisions, action points and papers under
every label, in groups each persona does or does not see, and people and
organisations in and out of the directory's reach. The index is built at the end, as
`manage.py search_rebuild` builds it."""

import datetime as dt

import pytest
from django.utils import timezone

from documents.services import document_withdraw
from groups.models import Confidentiality
from meetings.services import (
    action_point_create,
    agenda_item_add,
    decision_add,
    meeting_create,
    meeting_mark_held,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from members.services import organisation_create, person_create
from search.services import index_rebuild
from tests.documents.paper_files import paper_add

RESTRICTED = Confidentiality.RESTRICTED
WORD = "zanzibar"


def held_meeting(group, title, *, days_ago=7, description="", **label):
    start = timezone.now() - dt.timedelta(days=days_ago)
    meeting = meeting_create(
        group=group,
        title=title,
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        description=description,
        by=None,
        record_past=True,
        **label,
    )
    return meeting


def build_world(cast) -> dict:
    mwg = held_meeting(cast.mwg, "Zanzibar harbour review", description="Ports and returns.")
    opening = agenda_item_add(meeting=mwg, title="Zanzibar returns opening", by=None)
    briefing = agenda_item_add(
        meeting=mwg,
        title="Zanzibar security briefing",
        confidentiality=RESTRICTED,
        restricted_to=[cast.iom],
        by=None,
    )
    meeting_mark_held(meeting=mwg, by=None)
    minutes = minutes_save(meeting=mwg, body="The group discussed Zanzibar at length.", by=None)
    decision_open = decision_add(meeting=mwg, text="Zanzibar: map the referral services.", by=None)
    decision_for_iom = decision_add(
        meeting=mwg,
        text="Zanzibar: fund the confidential shelter.",
        confidentiality=RESTRICTED,
        restricted_to=[cast.iom],
        by=None,
    )
    decision_for_moh = decision_add(
        meeting=mwg,
        text="Zanzibar: the health screening protocol.",
        confidentiality=RESTRICTED,
        restricted_to=[cast.moh],
        by=None,
    )
    # Published after its decisions: published minutes freeze them.
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)
    action_open = action_point_create(
        meeting=mwg,
        title="Zanzibar port survey",
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=20),
        by=None,
    )
    action_for_iom = action_point_create(
        meeting=mwg,
        title="Zanzibar shelter budget",
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        confidentiality=RESTRICTED,
        restricted_to=[cast.iom],
        by=None,
    )

    # A meeting of the health sub-group (the member sits there, the observer does not),
    # with draft minutes only its managers read.
    health = held_meeting(cast.health, "Zanzibar clinics meeting", days_ago=3)
    meeting_mark_held(meeting=health, by=None)
    health_draft = minutes_save(meeting=health, body="Draft: Zanzibar clinics.", by=None)

    other = held_meeting(cast.other_wg, "Zanzibar trade meeting", days_ago=10)

    paper_open = paper_add(
        by=None, group=cast.mwg, meeting=mwg, title="Zanzibar concept note", text="A note."
    )
    paper_library = paper_add(
        by=None, group=cast.mwg, title="Zanzibar draft terms", description="Library paper."
    )
    paper_restricted = paper_add(
        by=None,
        group=cast.mwg,
        title="Zanzibar risk assessment",
        confidentiality=RESTRICTED,
        restricted_to=[cast.iom],
    )
    paper_public = paper_add(
        by=None,
        group=cast.other_wg,
        title="Zanzibar public leaflet",
        confidentiality=Confidentiality.PUBLIC,
    )
    paper_withdrawn = document_withdraw(
        document=paper_add(by=None, group=cast.mwg, title="Zanzibar old draft"), by=None
    )

    port = organisation_create(name="Zanzibar Port Authority", kind="other", by=None)
    harbour_master = person_create(
        full_name="Zanzibar Harbour Master", organisation=port, email="hm@example.org", by=None
    )
    health_officer = person_create(
        full_name="Amal Zanzibar", organisation=cast.moh, email="amal@example.org", by=None
    )
    index_rebuild()
    return {
        "mwg": mwg,
        "opening": opening,
        "briefing": briefing,
        "minutes": minutes,
        "decision_open": decision_open,
        "decision_for_iom": decision_for_iom,
        "decision_for_moh": decision_for_moh,
        "action_open": action_open,
        "action_for_iom": action_for_iom,
        "health": health,
        "health_draft": health_draft,
        "other": other,
        "paper_open": paper_open,
        "paper_library": paper_library,
        "paper_restricted": paper_restricted,
        "paper_public": paper_public,
        "paper_withdrawn": paper_withdrawn,
        "port": port,
        "harbour_master": harbour_master,
        "health_officer": health_officer,
    }


@pytest.fixture(scope="module")
def _world_rows(_cast_rows, django_db_blocker):
    with django_db_blocker.unblock():
        return build_world(_cast_rows)


@pytest.fixture
def world(_world_rows, db):
    return {name: type(row).objects.get(pk=row.pk) for name, row in _world_rows.items()}
