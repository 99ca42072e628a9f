"""/api/v1/series/: who sees and who manages a group's series; bad input is a 400 naming
the field; every answer is checked against the schema (SchemaCheckedClient)."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import MeetingSeries
from meetings.services import series_create, series_schedule
from notices.models import Notice
from tests.api.conftest import EVERYONE, MWG_MANAGERS, MWG_VIEWERS, fingerprint
from tests.series import monthly_series

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _body(cast, **overrides) -> dict:
    return {
        "group": cast.mwg.pk,
        "title": "Monthly coordination",
        "frequency": "monthly_weekday",
        "weekday": 1,
        "week_of_month": 2,
        "start_time": "10:00",
        "duration_minutes": 120,
        "time_zone": "Europe/Rome",
        "starts_on": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "count": 12,
        "create_ahead_days": 400,
        **overrides,
    }


@pytest.fixture
def series(cast):
    return series_schedule(series=monthly_series(cast.mwg), by=None)


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_sees_a_groups_series(cast, client_for, series, persona):
    client = client_for(persona)

    listed = client.get(f"{V1}/series/")
    detail = client.get(f"{V1}/series/{series.pk}/")

    if persona == "anonymous":
        assert (listed.status_code, detail.status_code) == (401, 401)
        return
    ids = [row["id"] for row in listed.json()["results"]]
    if persona in MWG_VIEWERS:
        assert ids == [series.pk]
        assert detail.status_code == 200
        body = detail.json()
        assert body["rule"] == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=12"
        assert len(body["occurrences"]) == 12
        assert all(row["reference"] for row in body["occurrences"])
    else:
        assert ids == []
        assert detail.status_code == 404


@pytest.mark.parametrize("persona", EVERYONE)
def test_who_may_create_a_series(cast, client_for, persona):
    client = client_for(persona)
    before = fingerprint()

    response = client.post(f"{V1}/series/", _body(cast), format="json")

    if persona in MWG_MANAGERS:
        assert response.status_code == 201
        body = response.json()
        assert body["rule"] == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=12"
        assert [row["status"] for row in body["occurrences"]] == ["draft"] * 12
        return
    expected = {"anonymous": 401, "outsider": 400}.get(persona, 403)
    assert response.status_code == expected
    if persona == "outsider":
        # The group is hidden from them: the same answer as a group that does not exist.
        assert "group" in response.json()["errors"]
    assert fingerprint() == before
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"weekday": None}, "weekday"),
        ({"week_of_month": None}, "week_of_month"),
        ({"frequency": "monthly_day", "weekday": None}, "month_day"),
        ({"ends_on": "2031-06-30"}, "ends_on"),
        ({"count": None}, "ends_on"),
        ({"starts_on": "2020-01-01"}, "starts_on"),
        ({"starts_on": "9999-01-01"}, "starts_on"),
        ({"week_of_month": 5}, "week_of_month"),
        ({"interval": 13}, "interval"),
        ({"time_zone": "GB-Eire"}, "time_zone"),
        ({"frequency": "daily"}, "frequency"),
        ({"start_time": "25:00"}, "start_time"),
        ({"sequence": 4}, "sequence"),
    ],
)
def test_a_bad_series_is_a_400_naming_the_field(cast, client_for, overrides, field):
    client = client_for("secretariat")

    response = client.post(f"{V1}/series/", _body(cast, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not MeetingSeries.objects.exists()


def test_a_manager_changes_and_cancels_the_series(cast, client_for, series):
    client = client_for("chair")

    changed = client.patch(
        f"{V1}/series/{series.pk}/", {"venue": "IOM office, Tripoli"}, format="json"
    )
    refused = client.patch(f"{V1}/series/{series.pk}/", {"month_day": 16}, format="json")
    cancelled = client.post(f"{V1}/series/{series.pk}/cancel/", {"reason": "Merged"}, format="json")

    assert changed.status_code == 200
    assert changed.json()["sequence"] == 1
    assert refused.status_code == 400
    assert "month_day" in refused.json()["errors"]
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    kinds = list(
        Notice.objects.filter(channel="email").order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["series_invitation"] * 5 + ["series_update"] * 5 + ["series_cancellation"] * 5


@pytest.mark.parametrize("persona", ["member", "observer"])
def test_a_member_agency_cannot_change_schedule_or_cancel_a_series(
    cast, client_for, series, persona
):
    client = client_for(persona)
    before = fingerprint()

    answers = [
        client.patch(f"{V1}/series/{series.pk}/", {"venue": "Elsewhere"}, format="json"),
        client.post(f"{V1}/series/{series.pk}/schedule/", {}, format="json"),
        client.post(f"{V1}/series/{series.pk}/cancel/", {}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403]
    assert fingerprint() == before


def test_scheduling_through_the_api(cast, client_for):
    client = client_for("secretariat")
    made = client.post(f"{V1}/series/", _body(cast), format="json").json()

    scheduled = client.post(f"{V1}/series/{made['id']}/schedule/", {}, format="json")
    again = client.post(f"{V1}/series/{made['id']}/schedule/", {}, format="json")

    assert scheduled.status_code == 200
    assert {row["status"] for row in scheduled.json()["occurrences"]} == {"scheduled"}
    assert again.status_code == 400
    assert "status" in again.json()["errors"]


def test_the_series_list_costs_the_same_for_more_series(
    cast, client_for, series, django_assert_max_num_queries
):
    for number in range(5):
        series_create(
            group=cast.mwg,
            title=f"Weekly desk {number}",
            frequency=MeetingSeries.Frequency.WEEKLY,
            weekday=number,
            start_time=dt.time(9, 0),
            duration_minutes=60,
            starts_on=timezone.localdate() + dt.timedelta(days=10),
            count=8,
            create_ahead_days=90,
            by=None,
        )
    client = client_for("member")

    with django_assert_max_num_queries(8):
        response = client.get(f"{V1}/series/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 6
