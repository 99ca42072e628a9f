"""References in the API (read-only, in the schema, filterable) and the date guards
answered as 400s naming the field, with nothing changed."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.api.conftest import fingerprint
from tests.api.schema import openapi

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
MEETING_REFERENCE = re.compile(r"^G\d+/\d{4}/\d{2}$")


def test_a_meeting_shows_its_reference(world, client_for):
    upcoming = world["upcoming"]

    body = client_for("member").get(f"{V1}/meetings/{upcoming.pk}/").json()

    assert MEETING_REFERENCE.match(body["reference"])
    assert body["reference"] == upcoming.reference


def test_the_meetings_list_shows_references_and_a_draft_has_none(world, client_for):
    rows = client_for("secretariat").get(f"{V1}/meetings/", {"page_size": 100}).json()["results"]

    references = {row["id"]: row["reference"] for row in rows}
    assert references[world["upcoming"].pk] == world["upcoming"].reference
    assert references[world["held"].pk] == world["held"].reference
    assert references[world["draft"].pk] == ""


def test_meetings_filter_by_reference_exactly(world, client_for):
    upcoming = world["upcoming"]
    client = client_for("secretariat")

    exact = client.get(f"{V1}/meetings/", {"reference": upcoming.reference}).json()
    lower = client.get(f"{V1}/meetings/", {"reference": upcoming.reference.lower()}).json()
    partial = client.get(f"{V1}/meetings/", {"reference": upcoming.reference[:-1]}).json()

    assert [row["id"] for row in exact["results"]] == [upcoming.pk]
    assert [row["id"] for row in lower["results"]] == [upcoming.pk]
    assert partial["results"] == []


def test_the_reference_filter_keeps_hidden_meetings_hidden(world, client_for):
    held = world["held"]  # the health sub-group's, which the observer cannot see

    response = client_for("observer").get(f"{V1}/meetings/", {"reference": held.reference})

    assert response.json()["results"] == []


def test_decisions_show_and_filter_by_their_reference(world, client_for):
    held = world["held"]
    client = client_for("member")

    rows = client.get(f"{V1}/decisions/", {"meeting": held.pk}).json()["results"]
    found = client.get(f"{V1}/decisions/", {"reference": f"{held.reference}/D2"}).json()

    assert [row["reference"] for row in rows] == [f"{held.reference}/D1", f"{held.reference}/D2"]
    assert [row["number"] for row in found["results"]] == [2]


def test_action_points_name_the_reference_of_the_meeting_they_were_raised_at(world, client_for):
    action = world["action"]

    body = client_for("member").get(f"{V1}/action-points/{action.pk}/").json()
    rows = client_for("member").get(f"{V1}/action-points/").json()["results"]

    assert body["meeting"]["reference"] == world["held"].reference
    assert {row["meeting"]["reference"] for row in rows if row["id"] == action.pk} == {
        world["held"].reference
    }


def test_the_reference_is_read_only_in_the_schema(world):
    schemas = openapi()["components"]["schemas"]

    for name in ("Meeting", "Decision", "MeetingBrief"):
        assert schemas[name]["properties"]["reference"]["readOnly"] is True, name
    assert "reference" in schemas["MeetingList"]["required"]
    parameters = openapi()["paths"]["/api/v1/meetings/"]["get"]["parameters"]
    assert "reference" in {parameter["name"] for parameter in parameters}


def test_the_reference_cannot_be_written(world, client_for):
    upcoming = world["upcoming"]
    before = fingerprint()

    response = client_for("secretariat").patch(
        f"{V1}/meetings/{upcoming.pk}/", {"reference": "FAKE/2026/01"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reference"]
    assert fingerprint() == before


def test_the_api_creates_no_meeting_in_the_past(world, client_for, cast):
    start = timezone.now() - dt.timedelta(days=1)
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/meetings/",
        {
            "group": cast.mwg.pk,
            "title": "Yesterday",
            "start_at": start.isoformat(),
            "end_at": (start + dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"start_at": ["A new meeting cannot start in the past."]}
    assert fingerprint() == before


@pytest.mark.parametrize("name", ["upcoming", "draft"])
def test_the_api_moves_no_meeting_into_the_past(world, client_for, name):
    meeting = world[name]
    start = timezone.now() - dt.timedelta(days=1)
    before = fingerprint()

    response = client_for("secretariat").patch(
        f"{V1}/meetings/{meeting.pk}/",
        {"start_at": start.isoformat(), "end_at": (start + dt.timedelta(hours=2)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"start_at": ["A meeting cannot be moved into the past."]}
    assert fingerprint() == before


def test_the_api_marks_no_meeting_held_before_it_starts(world, client_for):
    upcoming = world["upcoming"]
    before = fingerprint()

    response = client_for("secretariat").post(f"{V1}/meetings/{upcoming.pk}/mark-held/")

    assert response.status_code == 400
    assert response.json()["errors"] == {"start_at": ["A meeting cannot be held before it starts."]}
    assert fingerprint() == before
