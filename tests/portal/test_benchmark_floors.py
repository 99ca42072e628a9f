"""`make bench` compares each API list with a floor that must fetch the same rows."""

import orjson
import pytest

from benchmarks.lists import api_floor, api_lists
from tests.factories import ActionPointFactory, AgendaItemFactory, InvitationFactory, MeetingFactory


def test_the_benchmark_times_every_list_of_the_api():
    paths = {path for path, _viewset in api_lists()}

    assert {"/api/v1/meetings/", "/api/v1/invitations/", "/api/v1/people/"} <= paths
    assert len(paths) >= 20


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_each_floor_fetches_the_rows_of_the_api_page_in_its_order(cast, client, persona):
    for group in (cast.mwg, cast.health, cast.other_wg):
        meeting = MeetingFactory(group=group, calendar_uid=f"floor-{group.pk}@test.local")
        AgendaItemFactory(meeting=meeting)
        InvitationFactory(meeting=meeting, person=cast.member_person)
        ActionPointFactory(meeting=meeting)
    user = cast.user(persona)
    client.force_login(user)

    for path, viewset in api_lists():
        if path == "/api/v1/search/":
            continue
        page = client.get(path, {"page_size": 100}).json()["results"]
        floor = orjson.loads(api_floor(viewset, user))

        assert [row["id"] for row in floor][:100] == [row["id"] for row in page], path
