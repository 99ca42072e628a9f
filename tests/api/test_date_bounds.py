"""Every date the portal takes in lies between 2000-01-01 and 2100-12-31, in UTC and in
the zone it is shown in; anything else is a 400 naming the field, and nothing is stored.

9999-12-31 in Etc/GMT-14 is year 10000 where the meeting is: stored, it broke the
meetings list, the group page and the API for everyone who could see it.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionPoint, Meeting
from meetings.services import meeting_create, meeting_mark_held
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.mark.parametrize(
    ("start", "end", "zone"),
    [
        ("9999-12-31T10:00:00Z", "9999-12-31T11:00:00Z", "Etc/GMT-14"),
        ("0001-01-01T13:00:00Z", "0001-01-01T14:00:00Z", "Etc/GMT+12"),
        ("2101-01-01T10:00:00Z", "2101-01-01T11:00:00Z", "UTC"),
        ("1999-12-31T10:00:00Z", "1999-12-31T11:00:00Z", "UTC"),
    ],
)
def test_the_api_refuses_a_meeting_outside_the_range(client_for, cast, start, end, zone):
    before = fingerprint()
    response = client_for("secretariat").post(
        f"{V1}/meetings/",
        {"group": cast.mwg.pk, "title": "Far", "start_at": start, "end_at": end, "time_zone": zone},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "between 2000-01-01 and 2100-12-31" in response.json()["errors"]["start_at"][0]
    assert fingerprint() == before


def test_the_api_takes_the_edges_of_the_range(client_for, cast):
    response = client_for("secretariat").post(
        f"{V1}/meetings/",
        {
            "group": cast.mwg.pk,
            "title": "Edge",
            "start_at": "2100-12-31T10:00:00Z",
            "end_at": "2100-12-31T11:00:00Z",
            "time_zone": "UTC",
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def test_moving_a_meeting_out_of_the_range_is_refused(client_for, cast):
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
        f"{V1}/meetings/{meeting.pk}/",
        {"time_zone": "Etc/GMT-14", "end_at": "9999-12-31T11:00:00Z"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "end_at" in response.json()["errors"]
    assert fingerprint() == before


def test_an_action_point_due_in_year_9999_is_refused(client_for, cast):
    start = timezone.now() - dt.timedelta(days=3)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=meeting, by=None)
    before = fingerprint()
    response = client_for("secretariat").post(
        f"{V1}/action-points/",
        {
            "meeting": meeting.pk,
            "title": "Report",
            "owner_organisation": cast.moh.pk,
            "due_on": "9999-12-31",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "due_on" in response.json()["errors"]
    assert fingerprint() == before
    assert not ActionPoint.objects.exists()


def test_a_membership_from_year_1_is_refused(client_for, cast):
    before = fingerprint()
    response = client_for("secretariat").post(
        f"{V1}/memberships/",
        {"group": cast.health.pk, "organisation": cast.iom.pk, "start_on": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "start_on" in response.json()["errors"]
    assert fingerprint() == before


def test_the_meeting_form_refuses_a_date_outside_the_range(client, cast):
    client.force_login(cast.secretariat)
    before = Meeting.objects.count()
    response = client.post(
        reverse("meeting-create"),
        {
            "group": cast.mwg.pk,
            "title": "Far",
            "kind": Meeting.Kind.REGULAR,
            "start_at": "9999-12-31T10:00",
            "end_at": "9999-12-31T11:00",
            # The place furthest ahead of UTC (+14:00), as Etc/GMT-14 in the API tests.
            "time_zone": "Pacific/Kiritimati",
        },
    )
    assert response.status_code == 200
    assert "between 2000-01-01 and 2100-12-31" in response.content.decode()
    assert Meeting.objects.count() == before


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("9999-12", "between 2000-01-01 and 2100-12-31"),
        ("0001-01", "between 2000-01-01 and 2100-12-31"),
        ("abc", "YYYY-MM"),
        ("2026-13", "YYYY-MM"),
    ],
)
def test_the_calendar_answers_400_for_a_month_it_cannot_show(client, cast, month, says):
    client.force_login(cast.member)
    response = client.get(reverse("meeting-calendar"), {"month": month})
    assert response.status_code == 400
    body = response.content.decode()
    assert "month" in body
    assert says in body
    assert "[&#x27;" not in body  # the sentence, not a Python list


def test_the_calendar_shows_a_month_inside_the_range(client, cast):
    client.force_login(cast.member)
    assert client.get(reverse("meeting-calendar"), {"month": "2100-12"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("meetings", "start_after", "9999-12-31T10:00:00Z"),
        ("meetings", "start_before", "1999-12-31T10:00:00Z"),
        ("action-points", "due_after", "9999-12-31"),
        ("action-points", "due_before", "0001-01-01"),
    ],
)
def test_a_list_filter_outside_the_range_is_a_400_naming_it(client_for, path, field, value):
    response = client_for("member").get(f"{V1}/{path}/", {field: value})
    assert response.status_code == 400, response.content
    assert "between 2000-01-01 and 2100-12-31" in response.json()["errors"][field][0]


def test_a_list_filter_inside_the_range_is_taken(client_for):
    response = client_for("member").get(f"{V1}/action-points/", {"due_after": "2100-12-31"})
    assert response.status_code == 200
