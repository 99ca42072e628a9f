"""Tokens, throttles, the error shape, RSVPs, reports, the calendar, query counts."""

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from knox.models import AuthToken

from meetings.models import ActionPoint, Invitation
from tests.api.conftest import SchemaCheckedClient, fingerprint
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _token(client, username="member", password=PASSWORD):
    return client.post(f"{V1}/auth/token/", {"username": username, "password": password})


def test_token_login_returns_a_hashed_expiring_token_that_authenticates(cast):
    client = SchemaCheckedClient()

    response = _token(client)

    assert response.status_code == 201
    token = response.json()["token"]
    stored = AuthToken.objects.get(user=cast.member)
    assert stored.digest != token
    assert token.startswith(stored.token_key)
    assert stored.expiry > timezone.now() + dt.timedelta(days=29)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{V1}/people/me/").json()["username"] == "member"


def test_wrong_password_is_a_400_and_creates_no_token(cast):
    response = _token(SchemaCheckedClient(), password="wrong")

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "detail": "Wrong username or password.",
        "errors": {"non_field_errors": ["Wrong username or password."]},
    }
    assert not AuthToken.objects.exists()


def test_logins_are_throttled_per_client_address(cast, settings):
    client = SchemaCheckedClient()
    # Each guess names another login, so only the per-address count can stop them.
    answers = [
        _token(client, username=f"guess{n}", password="wrong").status_code for n in range(11)
    ]

    assert answers == [400] * 10 + [429]
    assert _token(client).status_code == 429


def test_user_lists_and_revokes_own_tokens_only(cast):
    client = SchemaCheckedClient()
    first = _token(client).json()
    second = _token(client).json()
    _token(client, username="observer")
    client.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")

    listed = client.get(f"{V1}/auth/tokens/").json()["results"]
    assert {row["token_key"] for row in listed} == {first["token_key"], second["token_key"]}

    observer_key = AuthToken.objects.get(user=cast.observer).token_key
    assert client.delete(f"{V1}/auth/tokens/{observer_key}/").status_code == 404
    assert client.delete(f"{V1}/auth/tokens/{first['token_key']}/").status_code == 204
    assert AuthToken.objects.filter(user=cast.member).count() == 1

    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert client.get(f"{V1}/meetings/").status_code == 401


def test_expired_token_is_refused(cast):
    token, secret = AuthToken.objects.create(user=cast.member, expiry=dt.timedelta(seconds=-1))
    client = SchemaCheckedClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = client.get(f"{V1}/meetings/")

    assert response.status_code == 401
    assert response.json()["type"] == "authentication_failed"


def test_browser_session_works_too(cast):
    client = SchemaCheckedClient()
    client.force_login(cast.member)

    assert client.get(f"{V1}/meetings/").status_code == 200


def test_member_sends_an_alternate_from_their_organisation(cast, world, client_for):
    invitation = world["member_invitation"]

    response = client_for("member").post(
        f"{V1}/invitations/{invitation.pk}/respond/",
        {"response": "alternate", "alternate": cast.member_colleague.pk, "note": "On mission"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["alternate"] == {
        "id": cast.member_colleague.pk,
        "full_name": cast.member_colleague.full_name,
    }
    invitation.refresh_from_db()
    assert (invitation.response, invitation.responded_by) == ("alternate", cast.member)


def test_member_answers_for_a_colleague_of_their_organisation(world, client_for):
    invitation = world["colleague_invitation"]

    response = client_for("member").post(
        f"{V1}/invitations/{invitation.pk}/respond/", {"response": "declined"}, format="json"
    )

    assert response.status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).response == "declined"


def test_alternate_missing_is_a_field_error_and_changes_nothing(world, client_for):
    before = fingerprint()

    response = client_for("member").post(
        f"{V1}/invitations/{world['member_invitation'].pk}/respond/",
        {"response": "alternate"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"alternate": ["Name the alternate you are sending."]}
    assert fingerprint() == before


def test_member_reports_progress_on_their_organisations_action_point(world, client_for):
    action = world["action"]

    response = client_for("member").post(
        f"{V1}/action-points/{action.pk}/report/",
        {"status": "done", "progress": "Services mapped in 4 cities."},
        format="json",
    )

    assert response.status_code == 200
    action.refresh_from_db()
    assert action.status == ActionPoint.Status.DONE
    assert action.closed_at is not None


def test_action_points_filter_overdue_and_owner(cast, world, client_for):
    client = client_for("secretariat")

    overdue = client.get(f"{V1}/action-points/", {"is_overdue": "true"}).json()["results"]
    owned = client.get(f"{V1}/action-points/", {"owner_organisation": cast.iom.pk}).json()

    assert [row["id"] for row in overdue] == [world["action"].pk]
    assert overdue[0]["is_overdue"] is True
    assert [row["owner_organisation"]["id"] for row in owned["results"]] == [cast.iom.pk]


def test_meetings_filter_by_group_includes_sub_groups(cast, world, client_for):
    client = client_for("secretariat")

    mwg = {
        row["id"] for row in client.get(f"{V1}/meetings/", {"group": cast.mwg.pk}).json()["results"]
    }
    health = client.get(f"{V1}/meetings/", {"group": cast.health.pk}).json()["results"]

    assert world["held"].pk in mwg
    assert world["other"].pk not in mwg
    assert [row["id"] for row in health] == [world["held"].pk]


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("meetings", "group", "99999999999999999999"),
        ("meetings", "group", str(2**63)),
        ("action-points", "meeting", "1.5"),
        ("invitations", "person", "0"),
        ("notices", "meeting", "-4"),
        ("memberships", "organisation", "1e3"),
    ],
)
def test_an_id_filter_the_database_cannot_hold_is_a_400(world, client_for, path, parameter, value):
    # A twenty-digit id once reached SQLite and overflowed: a 500.
    response = client_for("secretariat").get(f"{V1}/{path}/", {parameter: value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_the_largest_id_is_a_valid_filter_that_finds_nothing(world, client_for):
    response = client_for("secretariat").get(f"{V1}/meetings/", {"group": str(2**63 - 1)})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_meeting_list_row_carries_group_chair_and_rsvp_counts(cast, world, client_for):
    rows = client_for("member").get(f"{V1}/meetings/", {"status": "scheduled"}).json()["results"]

    assert rows == [
        {
            "id": world["upcoming"].pk,
            "reference": world["upcoming"].reference,
            "title": "Upcoming MWG meeting",
            "kind": "regular",
            "status": "scheduled",
            "confidentiality": "members",
            "restricted_to": [],
            "start_at": world["upcoming"].start_at.isoformat().replace("+00:00", "Z"),
            "end_at": world["upcoming"].end_at.isoformat().replace("+00:00", "Z"),
            "time_zone": "Africa/Tripoli",
            "venue": "",
            "online_url": "",
            "group": {"id": cast.mwg.pk, "name": cast.mwg.name, "short_name": ""},
            "chair": {
                "organisation": {"id": cast.mofa.pk, "name": cast.mofa.name, "acronym": "MoFA"},
                "seat_holder": {"id": cast.chair_person.pk, "full_name": "Jaalal Alashi"},
            },
            "invited_count": 3,
            "accepted_count": 0,
        }
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"status": "postponed"}, "status"),
        ({"start_after": "yesterday"}, "start_after"),
        ({"start_after": "2030-01-01T00:00Z", "start_before": "2020-01-01T00:00Z"}, "start_before"),
        ({"group": "mwg"}, "group"),
        ({"start_after": "0001-01-01T00:00:00+14:00"}, "start_after"),
        ({"page_size": "1000"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"ordering": "venue"}, "ordering"),
    ],
)
def test_bad_list_query_is_a_400_naming_the_parameter(client_for, query, field):
    response = client_for("member").get(f"{V1}/meetings/", query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_unknown_body_field_is_a_400_and_changes_nothing(world, client_for):
    before = fingerprint()

    response = client_for("chair").patch(
        f"{V1}/meetings/{world['upcoming'].pk}/", {"venue": "Tunis", "colour": "red"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"colour": ["Unknown field."]}
    assert fingerprint() == before


def test_naive_datetime_is_refused(cast, client_for):
    response = client_for("chair").post(
        f"{V1}/meetings/",
        {
            "group": cast.mwg.pk,
            "title": "T",
            "start_at": "2031-01-01T09:00",
            "end_at": "2031-01-01T10:00Z",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["start_at"]


def test_oversized_body_is_a_413_in_the_error_shape(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    before = fingerprint()

    response = client_for("chair").patch(
        f"{V1}/meetings/{world['upcoming'].pk}/", {"description": "x" * 5000}, format="json"
    )

    assert response.status_code == 413
    assert response.json()["type"] == "payload_too_large"
    assert fingerprint() == before


def test_malformed_json_is_a_400(world, client_for):
    response = client_for("chair").generic(
        "PATCH", f"{V1}/meetings/{world['upcoming'].pk}/", "{not json", "application/json"
    )

    assert response.status_code == 400
    assert response.json()["type"] == "parse_error"


def test_service_refusal_is_a_400_naming_the_field(world, client_for):
    response = client_for("chair").post(
        f"{V1}/meetings/{world['bare'].pk}/cancel/", {}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_service_refusal_is_in_the_language_the_client_accepts(world, client_for):
    english = "Only a meeting in the future can be scheduled."
    with translation.override("fr"):
        french = gettext(english)
        detail = gettext("Invalid input: %(fields)s.") % {"fields": "start_at"}
    before = fingerprint()

    response = client_for("chair").post(
        f"{V1}/meetings/{world['started'].pk}/schedule/",
        {},
        format="json",
        headers={"Accept-Language": "fr"},
    )

    assert french != english
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "detail": detail,
        "errors": {"start_at": [french]},
    }
    assert fingerprint() == before


def test_me_gives_the_calendar_feed_and_reset_changes_its_secret(cast, client_for):
    client = client_for("member")
    old = client.get(f"{V1}/people/me/").json()["calendar_url"]
    assert client.get(old).status_code == 200

    new = client.post(f"{V1}/people/me/reset-calendar/").json()["calendar_url"]

    assert new != old
    assert new.endswith(".ics")
    assert client.get(old).status_code == 404
    feed = client.get(new)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")


def test_me_without_a_person_is_a_404(client_for):
    assert client_for("secretariat").get(f"{V1}/people/me/").status_code == 404


LISTS = [
    "meetings",
    "agenda-items",
    "invitations",
    "attendance",
    "minutes",
    "decisions",
    "action-points",
    "groups",
    "memberships",
    "organisations",
    "people",
    "auth/tokens",
    "notices",
    "webhook-endpoints",
    "documents",
    "document-versions",
]


@pytest.mark.parametrize("persona", ["secretariat", "member"])
@pytest.mark.parametrize("collection", LISTS)
def test_list_runs_the_same_few_queries_for_1_and_100_rows(
    cast, world, client_for, collection, persona
):
    client = client_for(persona)
    for _ in range(3):
        AuthToken.objects.create(user=cast.user(persona))
    client.get(f"{V1}/{collection}/")  # warm the per-user caches (secretariat flag)
    counts, sizes = [], []
    for size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{V1}/{collection}/", {"page_size": size})
        assert response.status_code == 200
        sizes.append(len(response.json()["results"]))
        counts.append(len(queries))

    assert sizes[0] == 1
    if persona == "secretariat":
        assert sizes[1] > 1
    assert counts[0] == counts[1] <= 8, counts


def test_schema_is_valid_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_form_body_is_refused_with_a_415(world, client_for):
    before = fingerprint()

    response = client_for("chair").generic(
        "PATCH",
        f"{V1}/meetings/{world['upcoming'].pk}/",
        "venue=Tunis",
        "application/x-www-form-urlencoded",
    )

    assert response.status_code == 415
    assert fingerprint() == before


def test_unsupported_media_type_is_a_415_in_the_error_shape(world, client_for):
    response = client_for("chair").generic(
        "PATCH", f"{V1}/meetings/{world['upcoming'].pk}/", "<xml/>", "application/xml"
    )

    assert response.status_code == 415
    assert response.json()["type"] == "unsupported_media_type"


@pytest.mark.parametrize("path", ["meetings/", "action-points/", "groups/", "invitations/"])
def test_browsable_api_renders_for_a_signed_in_browser(cast, client, path):
    client.force_login(cast.member)

    response = client.get(f"{V1}/{path}", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert b"<html" in response.content


def test_moving_a_meetings_start_past_its_end_names_end_at(world, client_for):
    upcoming = world["upcoming"]
    later = (upcoming.end_at + dt.timedelta(hours=1)).isoformat()

    response = client_for("chair").patch(
        f"{V1}/meetings/{upcoming.pk}/", {"start_at": later}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"end_at": ["A meeting must end after it starts."]}


def test_a_viewset_cannot_bypass_its_funnel():
    from meetings.models import Meeting
    from portal.api.views import FunnelViewSet

    with pytest.raises(TypeError, match="must not define get_queryset"):

        class Leaky(FunnelViewSet):
            def get_queryset(self):
                return Meeting.objects.all()

    with pytest.raises(TypeError, match="must not define queryset"):

        class AlsoLeaky(FunnelViewSet):
            queryset = Meeting.objects.all()


def test_a_webhook_endpoint_url_change_is_saved_checked_and_refused_when_private(
    cast, world, client_for, settings
):
    settings.WEBHOOK_ALLOW_INSECURE = False
    client = client_for("member")
    endpoint = world["moh_endpoint"]
    path = f"{V1}/webhook-endpoints/{endpoint.pk}/"

    moved = client.patch(path, {"url": "https://1.1.1.1/new-hook", "events": ["meeting.updated"]})
    refused = client.patch(path, {"url": "https://10.0.0.5/inside"})

    assert moved.status_code == 200
    assert refused.status_code == 400
    assert "url" in refused.json()["errors"]
    endpoint.refresh_from_db()
    assert endpoint.url == "https://1.1.1.1/new-hook"
    assert endpoint.events == ["meeting.updated"]


def test_a_group_lists_only_the_sub_groups_the_reader_may_see(cast, world, client_for):
    observer = client_for("observer").get(f"{V1}/groups/{cast.mwg.pk}/")
    secretariat = client_for("secretariat").get(f"{V1}/groups/{cast.mwg.pk}/")

    assert observer.status_code == 200
    assert observer.json()["children"] == []
    assert {child["id"] for child in secretariat.json()["children"]} >= {
        cast.health.pk,
        cast.border.pk,
    }


def test_the_api_docs_load_nothing_from_outside_the_portal(client):
    page = client.get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    scripts = [source for source in sources if source.endswith((".js", ".css"))]
    assert scripts
    assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
    for source in scripts:
        assert finders.find(source.removeprefix("/static/")), source


def test_a_repeated_single_value_parameter_is_refused_not_cut_to_its_last(cast, world, client_for):
    client = client_for("secretariat")

    repeated = client.get(f"{V1}/meetings/?ordering=-start_at&ordering=title")
    combined = client.get(f"{V1}/meetings/?ordering=-start_at,title")
    several = client.get(f"{V1}/meetings/?status=scheduled&status=held")

    assert repeated.status_code == 400
    assert "ordering" in repeated.json()["errors"]
    assert combined.status_code == 200
    assert several.status_code == 200
    statuses = {row["status"] for row in several.json()["results"]}
    assert statuses <= {"scheduled", "held"}
    assert len(statuses) == 2


def test_path_ids_are_integers_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()

    ids = [
        parameter["schema"]
        for path, operations in schema["paths"].items()
        if "{id}" in path
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]

    assert ids
    assert all(id_schema["type"] == "integer" for id_schema in ids)
    assert all(id_schema["format"] == "int64" and id_schema["minimum"] == 1 for id_schema in ids)
