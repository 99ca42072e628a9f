"""The API takes a place's zone, UTC or any canonical zone of the tz database; anything
else is a 400 naming time_zone, and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import meeting_create
from members.services import person_time_zone_set
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _body(cast, **overrides):
    body = {
        "group": cast.mwg.pk,
        "title": "Plenary",
        "start_at": "2031-03-10T09:00:00Z",
        "end_at": "2031-03-10T11:00:00Z",
        "time_zone": "Africa/Tripoli",
    }
    return {**body, **overrides}


@pytest.mark.parametrize(
    ("zone", "says"),
    [
        ("GB-Eire", "GB-Eire is an old name of a time zone: send Europe/London instead."),
        ("US/Pacific", "US/Pacific is an old name of a time zone: send America/Los_Angeles"),
        ("Factory", "Factory is not a time zone name (e.g. Africa/Tripoli)."),
        ("Libya/Nowhere", "Libya/Nowhere is not a time zone name (e.g. Africa/Tripoli)."),
        ("", "This field may not be blank."),
    ],
)
def test_creating_a_meeting_in_a_zone_that_is_not_one_is_refused(client_for, cast, zone, says):
    before = fingerprint()

    response = client_for("secretariat").post(
        f"{V1}/meetings/", _body(cast, time_zone=zone), format="json"
    )

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["time_zone"]
    assert says in response.json()["errors"]["time_zone"][0]
    assert fingerprint() == before


def test_moving_a_meeting_into_a_zone_that_is_not_one_is_refused(client_for, cast):
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    before = fingerprint()

    response = client_for("secretariat").patch(
        f"{V1}/meetings/{meeting.pk}/", {"time_zone": "US/Eastern"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "America/New_York" in response.json()["errors"]["time_zone"][0]
    assert fingerprint() == before


@pytest.mark.parametrize("zone", ["Europe/Rome", "UTC", "Europe/Vatican", "Etc/GMT-3"])
def test_a_place_utc_or_a_canonical_zone_is_taken(client_for, cast, zone):
    response = client_for("secretariat").post(
        f"{V1}/meetings/", _body(cast, time_zone=zone), format="json"
    )

    assert response.status_code == 201, response.content
    assert Meeting.objects.get(pk=response.json()["id"]).time_zone == zone


def test_a_meeting_kept_in_an_old_zone_name_may_send_it_back(client_for, cast):
    start = timezone.now() + dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        time_zone="US/Pacific",
        by=None,
    )

    response = client_for("secretariat").patch(
        f"{V1}/meetings/{meeting.pk}/",
        {"title": "Renamed", "time_zone": "US/Pacific"},
        format="json",
    )

    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert (meeting.title, meeting.time_zone) == ("Renamed", "US/Pacific")


def test_a_persons_zone_leaves_the_api_in_utc(client, cast):
    start = dt.datetime(2031, 3, 10, 9, 0, tzinfo=dt.UTC)
    meeting = meeting_create(
        group=cast.health,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
    )
    person_time_zone_set(person=cast.member_person, time_zone="Asia/Tokyo", by=None)
    client.force_login(cast.member)

    response = client.get(f"{V1}/meetings/{meeting.pk}/")

    assert response.status_code == 200
    assert response.json()["start_at"] == "2031-03-10T09:00:00Z"
    assert response.json()["time_zone"] == "Africa/Tripoli"
