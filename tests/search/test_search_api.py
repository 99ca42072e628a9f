"""GET /api/v1/search/: the same search as the page, in the schema, with a 400 naming
the parameter for every bad input and nothing a caller may not see."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from search.models import SearchEntry
from tests.api.conftest import SchemaCheckedClient

pytestmark = pytest.mark.django_db
URL = "/api/v1/search/"


@pytest.fixture(autouse=True)
def _fresh_throttles(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_for(cast):
    def make(persona: str) -> APIClient:
        client = SchemaCheckedClient()
        if persona != "anonymous":
            client.force_authenticate(user=cast.user(persona))
        return client

    return make


def _rows(body) -> set[tuple[str, int]]:
    return {(row["kind"], row["object_id"]) for row in body["results"]}


def test_a_member_searches_through_the_api(api_for, world):
    response = api_for("member").get(URL, {"q": "zanzibar", "page_size": 100})

    assert response.status_code == 200
    body = response.json()
    rows = _rows(body)
    assert ("meeting", world["mwg"].pk) in rows
    assert ("decision", world["decision_for_moh"].pk) in rows
    assert ("decision", world["decision_for_iom"].pk) not in rows
    assert ("document", world["paper_restricted"].pk) not in rows
    assert ("meeting", world["other"].pk) not in rows
    assert body["counts"]["meeting"] == 2
    assert body["counts_capped"] is False
    assert body["next"] is None
    meeting = next(
        row
        for row in body["results"]
        if (row["kind"], row["object_id"]) == ("meeting", world["mwg"].pk)
    )
    assert meeting["url"] == f"http://testserver/meetings/{world['mwg'].pk}/"
    assert meeting["group_name"] == "Migration Working Group"
    assert meeting["date"].endswith("Z")
    decision = next(row for row in body["results"] if row["kind"] == "decision")
    assert "<mark>Zanzibar</mark>" in decision["snippet"]


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("secretariat", True),
        ("chair", True),
        ("cochair", True),
        ("member", False),
        ("observer", False),
        ("outsider", False),
    ],
)
def test_a_restricted_decision_reaches_only_those_it_is_for(api_for, world, persona, visible):
    body = api_for(persona).get(URL, {"q": "confidential shelter"}).json()

    assert (("decision", world["decision_for_iom"].pk) in _rows(body)) is visible


def test_kinds_group_dates_and_pages_filter_the_results(api_for, cast, world):
    client = api_for("member")

    papers_and_items = client.get(URL, {"q": "zanzibar", "kind": ["document", "agenda_item"]})
    health = client.get(URL, {"q": "zanzibar", "group": cast.health.pk})
    dated = client.get(URL, {"q": "zanzibar", "date_from": "2100-01-01"})
    first = client.get(URL, {"q": "zanzibar", "page_size": 2})

    assert {kind for kind, _ in _rows(papers_and_items.json())} == {"document", "agenda_item"}
    assert _rows(health.json()) == {
        ("meeting", world["health"].pk),
    }
    assert dated.json()["results"] == []
    assert len(first.json()["results"]) == 2
    assert "page=2" in first.json()["next"]
    second = client.get(first.json()["next"])
    assert second.status_code == 200
    assert second.json()["previous"] is not None
    assert not _rows(first.json()) & _rows(second.json())


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "q"),
        ({"q": "  "}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "zanzibar", "kind": "minute"}, "kind.0"),
        ({"q": "zanzibar", "group": "abc"}, "group"),
        ({"q": "zanzibar", "group": "999999"}, "group"),
        ({"q": "zanzibar", "date_from": "2026-02-30"}, "date_from"),
        ({"q": "zanzibar", "date_to": "1200-01-01"}, "date_to"),
        ({"q": "zanzibar", "date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
        ({"q": "zanzibar", "page": "0"}, "page"),
        ({"q": "zanzibar", "page_size": "1000"}, "page_size"),
        ({"q": "zanzibar", "sort": "date"}, "sort"),
        ({"q": ["zanzibar", "harbour"]}, "q"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api_for, world, query, field):
    entries = SearchEntry.objects.count()

    response = api_for("member").get(URL, query)

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert field in body["errors"], body["errors"]
    assert SearchEntry.objects.count() == entries


def test_a_group_the_caller_cannot_see_is_refused_like_a_missing_one(api_for, cast, world):
    hidden = api_for("member").get(URL, {"q": "zanzibar", "group": cast.other_wg.pk})
    missing = api_for("member").get(URL, {"q": "zanzibar", "group": 999999})

    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["group"] == [
        message.replace("999999", str(cast.other_wg.pk))
        for message in missing.json()["errors"]["group"]
    ]


def test_anonymous_callers_are_refused(api_for, world):
    response = api_for("anonymous").get(URL, {"q": "zanzibar"})

    assert response.status_code == 401


def test_the_search_is_in_the_schema():
    from tests.api.schema import openapi

    operation = openapi()["paths"]["/api/v1/search/"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "kind", "group", "date_from", "date_to", "page", "page_size"} <= parameters
    assert "400" in operation["responses"]
