"""The labels' matrix: each label × each persona × each way in, for meetings, agenda
items, minutes, decisions and action points.

A way in shows a row or it does not: the pages (the row's own page, the lists, the
meeting's page for what hangs off a meeting) and the API (lists, details, the agenda
nested in a meeting). Reads change nothing; the denials of label changes are in
test_label_pages.py and test_label_api.py.
"""

import pytest
from django.urls import reverse

from tests.api.conftest import SchemaCheckedClient
from tests.labels.conftest import (
    ACTION_POINT_SEEN_BY,
    EVERYONE,
    LABELS,
    MEETING_SEEN_BY,
    RECORD_SEEN_BY,
)

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def api_for(cast):
    def make(persona: str) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        if persona != "anonymous":
            client.force_authenticate(user=cast.user(persona))
        return client

    return make


@pytest.fixture
def page_for(client, cast):
    def make(persona: str):
        if persona != "anonymous":
            client.force_login(cast.user(persona))
        return client

    return make


def _api_list_ids(client, collection: str, **query) -> set[int] | None:
    response = client.get(f"{V1}/{collection}/", {"page_size": 100, **query})
    if response.status_code == 401:
        return None
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def _api_detail_seen(client, collection: str, pk: int) -> bool:
    response = client.get(f"{V1}/{collection}/{pk}/")
    assert response.status_code in {200, 401, 404}, response.status_code
    return response.status_code == 200


def _page(client, url: str) -> str | None:
    """The page's text, or None when it is refused (404) or asks to sign in (302)."""
    response = client.get(url)
    assert response.status_code in {200, 302, 404}, response.status_code
    return response.content.decode() if response.status_code == 200 else None


def _shown_on(client, url: str, marker: str) -> bool:
    page = _page(client, url)
    return page is not None and marker in page


# --- Meetings ---------------------------------------------------------------------------

MEETING_WAYS = ("page detail", "page list", "api list", "api detail")


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("way", MEETING_WAYS)
def test_meeting(cast, label_world, page_for, api_for, way, label, persona):
    meeting = label_world[f"meeting-{label}"]

    if way == "page detail":
        seen = _page(page_for(persona), reverse("meeting-detail", args=[meeting.pk])) is not None
    elif way == "page list":
        seen = _shown_on(page_for(persona), reverse("meeting-list"), meeting.title)
    elif way == "api list":
        ids = _api_list_ids(api_for(persona), "meetings")
        seen = ids is not None and meeting.pk in ids
    else:
        seen = _api_detail_seen(api_for(persona), "meetings", meeting.pk)

    assert seen is (persona in MEETING_SEEN_BY[label]), (way, label, persona)


# --- What hangs off a meeting -------------------------------------------------------------

RECORD_WAYS = ("meeting page", "api list", "api detail")
COLLECTIONS = {
    "agenda-item": "agenda-items",
    "minutes": "minutes",
    "decision": "decisions",
}
MARKERS = {
    "agenda-item": lambda row: row.title,
    "minutes": lambda row: row.body,
    "decision": lambda row: row.text,
}


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("way", RECORD_WAYS)
@pytest.mark.parametrize("kind", tuple(COLLECTIONS))
def test_record_of_a_meeting(cast, label_world, page_for, api_for, kind, way, label, persona):
    row = label_world[f"{kind}-{label}"]
    held = label_world[f"held-{label}"]
    collection = COLLECTIONS[kind]

    if way == "meeting page":
        url = reverse("meeting-detail", args=[held.pk])
        seen = _shown_on(page_for(persona), url, MARKERS[kind](row))
    elif way == "api list":
        ids = _api_list_ids(api_for(persona), collection, meeting=held.pk)
        seen = ids is not None and row.pk in ids
    else:
        seen = _api_detail_seen(api_for(persona), collection, row.pk)

    assert seen is (persona in RECORD_SEEN_BY[label]), (kind, way, label, persona)


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("label", LABELS)
def test_agenda_item_in_the_meetings_api_detail(cast, label_world, api_for, label, persona):
    """The agenda nested in a meeting's API answer follows the items' labels."""
    item, held = label_world[f"agenda-item-{label}"], label_world[f"held-{label}"]

    response = api_for(persona).get(f"{V1}/meetings/{held.pk}/")

    seen = response.status_code == 200 and item.pk in {
        nested["id"] for nested in response.json()["agenda_items"]
    }
    assert seen is (persona in RECORD_SEEN_BY[label]), (label, persona)


ACTION_POINT_WAYS = ("page detail", "page list", "meeting page", "api list", "api detail")


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("way", ACTION_POINT_WAYS)
def test_action_point(cast, label_world, page_for, api_for, way, label, persona):
    action_point = label_world[f"action-point-{label}"]
    held = label_world[f"held-{label}"]

    if way == "page detail":
        url = reverse("action-point-detail", args=[action_point.pk])
        seen = _page(page_for(persona), url) is not None
    elif way == "page list":
        seen = _shown_on(page_for(persona), reverse("action-point-list"), action_point.title)
    elif way == "meeting page":
        url = reverse("meeting-detail", args=[held.pk])
        seen = _shown_on(page_for(persona), url, action_point.title)
    elif way == "api list":
        ids = _api_list_ids(api_for(persona), "action-points")
        seen = ids is not None and action_point.pk in ids
    else:
        seen = _api_detail_seen(api_for(persona), "action-points", action_point.pk)

    # Its owner organisation's people (the member) see it wherever it is listed; on the
    # meeting's page only those who see the meeting (all of its viewers, here).
    assert seen is (persona in ACTION_POINT_SEEN_BY[label]), (way, label, persona)
