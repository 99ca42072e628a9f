"""Labels through the API: given on creation, changed with PATCH (through the one
service, with its trail), refused with a 400 naming the field, shown on every row."""

import datetime as dt

import pytest
from django.utils import timezone

from groups.models import Confidentiality, ConfidentialityChange
from meetings.models import AgendaItem, Decision, Meeting, Minutes
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
from tests.api.conftest import SchemaCheckedClient, fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
RESTRICTED = Confidentiality.RESTRICTED


@pytest.fixture
def api(cast):
    def make(persona: str) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        client.force_authenticate(user=cast.user(persona))
        return client

    return make


@pytest.fixture
def held(cast):
    """A held MWG meeting with an agenda item and a decision; minutes not yet written."""
    start = timezone.now() - dt.timedelta(days=2)
    meeting = meeting_create(
        group=cast.mwg,
        title="MWG: returns",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    agenda_item_add(meeting=meeting, title="Voluntary returns", by=None)
    meeting_mark_held(meeting=meeting, by=None)
    decision_add(meeting=meeting, text="Agreed.", by=None)
    return meeting


def _new_meeting(cast, **label):
    return {
        "group": cast.mwg.pk,
        "title": "MWG: labour migration",
        "start_at": "2031-01-01T09:00:00Z",
        "end_at": "2031-01-01T11:00:00Z",
        **label,
    }


def test_a_meeting_is_created_with_its_label_and_organisations(cast, api):
    response = api("chair").post(
        f"{V1}/meetings/",
        _new_meeting(cast, confidentiality=RESTRICTED, restricted_to=[cast.iom.pk, cast.mofa.pk]),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["confidentiality"] == RESTRICTED
    assert sorted(body["restricted_to"]) == sorted([cast.iom.pk, cast.mofa.pk])
    assert not ConfidentialityChange.objects.exists()


def test_a_meeting_created_without_a_label_takes_the_groups_usual_one(cast, api):
    response = api("chair").post(f"{V1}/meetings/", _new_meeting(cast), format="json")

    assert response.json()["confidentiality"] == "members"
    assert response.json()["restricted_to"] == []


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"confidentiality": RESTRICTED, "restricted_to": [999_999]}, "restricted_to"),
        ({"confidentiality": RESTRICTED, "restricted_to": ["iom"]}, "restricted_to"),
        ({"confidentiality": RESTRICTED, "restricted_to": 3}, "restricted_to"),
    ],
)
def test_a_bad_label_is_a_400_naming_the_field_and_creates_nothing(cast, api, label, field):
    before = fingerprint()

    response = api("chair").post(f"{V1}/meetings/", _new_meeting(cast, **label), format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert field in response.json()["errors"]
    assert fingerprint() == before


def test_an_organisation_the_caller_may_not_see_is_refused_like_a_missing_one(cast, api):
    """The chair sees the organisations of the groups they sit in; the Chamber of
    Commerce sits in none."""
    before = fingerprint()

    response = api("chair").post(
        f"{V1}/meetings/",
        _new_meeting(cast, confidentiality=RESTRICTED, restricted_to=[cast.elsewhere.pk]),
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["restricted_to"]
    assert fingerprint() == before


def test_a_held_meetings_label_is_patched_with_a_trail(cast, held, api):
    response = api("cochair").patch(
        f"{V1}/meetings/{held.pk}/",
        {"confidentiality": RESTRICTED, "restricted_to": [cast.iom.pk]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["confidentiality"], response.json()["restricted_to"]) == (
        RESTRICTED,
        [cast.iom.pk],
    )
    change = ConfidentialityChange.objects.get()
    assert (change.old_label, change.new_label, change.changed_by) == (
        "members",
        RESTRICTED,
        cast.cochair,
    )


def test_a_held_meeting_still_refuses_other_changes_and_keeps_its_label(cast, held, api):
    before = fingerprint()

    response = api("chair").patch(
        f"{V1}/meetings/{held.pk}/",
        {"venue": "Tunis", "confidentiality": "public"},
        format="json",
    )

    assert response.status_code == 400
    assert fingerprint() == before


def test_patching_only_the_organisations_keeps_the_label(cast, held, api):
    held_item = AgendaItem.objects.get(meeting=held)
    client = api("chair")
    client.patch(
        f"{V1}/agenda-items/{held_item.pk}/",
        {"confidentiality": RESTRICTED, "restricted_to": [cast.iom.pk]},
        format="json",
    )

    response = client.patch(
        f"{V1}/agenda-items/{held_item.pk}/", {"restricted_to": [cast.mofa.pk]}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["confidentiality"], response.json()["restricted_to"]) == (
        RESTRICTED,
        [cast.mofa.pk],
    )
    assert ConfidentialityChange.objects.count() == 2


def test_the_same_label_again_writes_no_trail(cast, held, api):
    response = api("chair").patch(
        f"{V1}/meetings/{held.pk}/", {"confidentiality": "members"}, format="json"
    )

    assert response.status_code == 200
    assert not ConfidentialityChange.objects.exists()


def test_a_decisions_label_is_patched_by_the_managers(cast, held, api):
    decision = Decision.objects.get(meeting=held)

    response = api("chair").patch(
        f"{V1}/decisions/{decision.pk}/", {"confidentiality": "public"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["confidentiality"] == "public"
    assert Decision.objects.get(pk=decision.pk).text == "Agreed."


@pytest.mark.parametrize(("persona", "code"), [("member", 404), ("observer", 404)])
def test_members_do_not_find_a_decision_before_the_minutes_are_published(
    cast, held, api, persona, code
):
    decision = Decision.objects.get(meeting=held)
    client = api(persona)
    before = fingerprint()

    listed = client.get(f"{V1}/decisions/", {"meeting": held.pk}).json()["results"]
    patched = client.patch(
        f"{V1}/decisions/{decision.pk}/", {"confidentiality": "public"}, format="json"
    )

    assert listed == []
    assert client.get(f"{V1}/decisions/{decision.pk}/").status_code == code
    assert patched.status_code == code
    assert fingerprint() == before


def test_members_read_the_decisions_once_the_minutes_are_published_and_change_none(cast, held, api):
    minutes = minutes_save(meeting=held, body="We met.", by=None)
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)
    decision = Decision.objects.get(meeting=held)
    client = api("member")
    before = fingerprint()

    listed = client.get(f"{V1}/decisions/", {"meeting": held.pk}).json()["results"]
    patched = client.patch(
        f"{V1}/decisions/{decision.pk}/", {"confidentiality": "public"}, format="json"
    )

    assert [row["id"] for row in listed] == [decision.pk]
    assert patched.status_code == 403
    assert fingerprint() == before


def test_published_minutes_keep_their_words_and_change_their_label(cast, held, api):
    minutes = minutes_save(meeting=held, body="We met.", by=None)
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)
    client = api("secretariat")

    relabelled = client.patch(
        f"{V1}/minutes/{minutes.pk}/", {"confidentiality": "public"}, format="json"
    )
    rewritten = client.patch(f"{V1}/minutes/{minutes.pk}/", {"body": "Other."}, format="json")
    empty = client.patch(f"{V1}/minutes/{minutes.pk}/", {}, format="json")

    assert relabelled.status_code == 200
    assert relabelled.json()["confidentiality"] == "public"
    assert rewritten.status_code == 400
    assert empty.status_code == 400
    assert list(empty.json()["errors"]) == ["body"]
    assert Minutes.objects.get(pk=minutes.pk).body == "We met."


def test_records_created_through_the_api_take_the_meetings_label(cast, held, api):
    client = api("chair")
    client.patch(
        f"{V1}/meetings/{held.pk}/",
        {"confidentiality": RESTRICTED, "restricted_to": [cast.iom.pk]},
        format="json",
    )

    decision = client.post(f"{V1}/decisions/", {"meeting": held.pk, "text": "More."}, format="json")
    action_point = client.post(
        f"{V1}/action-points/",
        {
            "meeting": held.pk,
            "title": "Report",
            "owner_organisation": cast.moh.pk,
            "due_on": "2031-01-01",
            "confidentiality": "public",
        },
        format="json",
    )

    assert (decision.json()["confidentiality"], decision.json()["restricted_to"]) == (
        RESTRICTED,
        [cast.iom.pk],
    )
    assert action_point.json()["confidentiality"] == "public"


def test_the_fast_lists_carry_the_labels(cast, held, api):
    client = api("secretariat")
    client.patch(
        f"{V1}/meetings/{held.pk}/",
        {"confidentiality": RESTRICTED, "restricted_to": [cast.iom.pk]},
        format="json",
    )

    meetings = client.get(f"{V1}/meetings/").json()["results"]

    row = next(row for row in meetings if row["id"] == held.pk)
    assert (row["confidentiality"], row["restricted_to"]) == (RESTRICTED, [cast.iom.pk])
    assert Meeting.objects.get(pk=held.pk).confidentiality == RESTRICTED


def test_the_fast_lists_name_the_organisations_in_the_order_their_details_do(cast, held, api):
    """By name (IOM, MoFA, MoH), not by id (MoFA, IOM, MoH) nor as sent."""
    client = api("secretariat")
    organisations = [cast.moh.pk, cast.mofa.pk, cast.iom.pk]
    label = {"confidentiality": RESTRICTED, "restricted_to": organisations}
    client.patch(f"{V1}/meetings/{held.pk}/", label, format="json")
    action_point = action_point_create(
        meeting=held,
        title="Draft the returns protocol",
        owner_organisation=cast.iom,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        by=None,
    )
    client.patch(f"{V1}/action-points/{action_point.pk}/", label, format="json")
    by_name = [cast.iom.pk, cast.mofa.pk, cast.moh.pk]
    assert sorted(by_name) != by_name

    for path, pk in (("meetings", held.pk), ("action-points", action_point.pk)):
        listed = client.get(f"{V1}/{path}/").json()["results"]
        row = next(row for row in listed if row["id"] == pk)
        detail = client.get(f"{V1}/{path}/{pk}/").json()
        assert row["restricted_to"] == detail["restricted_to"] == by_name, path


def test_a_groups_usual_label_is_patched_and_inherited_below(cast, api):
    response = api("chair").patch(
        f"{V1}/groups/{cast.mwg.pk}/", {"default_confidentiality": "public"}, format="json"
    )
    health = api("member").get(f"{V1}/groups/{cast.health.pk}/").json()

    assert response.status_code == 200
    assert response.json()["default_confidentiality"] == "public"
    assert health["default_confidentiality"] == ""
    assert health["terms_of_reference"]["default_confidentiality"] == "public"
    assert health["terms_of_reference"]["inherited_from"]["default_confidentiality"] == (
        cast.mwg.pk
    )


def test_a_usual_label_that_is_not_one_is_a_400_naming_the_field(cast, api):
    before = fingerprint()

    response = api("chair").patch(
        f"{V1}/groups/{cast.mwg.pk}/", {"default_confidentiality": "secret"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["default_confidentiality"]
    assert fingerprint() == before
