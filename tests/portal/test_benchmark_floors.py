"""`make bench` compares each API list and page with a floor that must fetch the same rows."""

import orjson
import pytest

from benchmarks.lists import api_floor, api_lists, page_floors
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


@pytest.mark.parametrize("persona", ["secretariat", "member"])
def test_each_page_floor_reads_the_lists_its_page_shows(cast, client, persona):
    meeting = MeetingFactory(group=cast.mwg, calendar_uid="floor-page@test.local")
    AgendaItemFactory(meeting=meeting)
    InvitationFactory(meeting=meeting, person=cast.member_person)
    ActionPointFactory(meeting=meeting)
    user = cast.user(persona)
    client.force_login(user)

    for label, path, tables in page_floors(user, meeting.pk, cast.mwg.pk):
        assert client.get(path).status_code == 200, label
        read = [list(table) for table in tables()]

        assert any(read), label
        if label.startswith("meeting page"):
            # The page's own lists, each: the meeting, answers, agenda, invitees, decisions,
            # action points, papers.
            assert len(read) == 7
            assert read[0][0]["pk"] == meeting.pk
