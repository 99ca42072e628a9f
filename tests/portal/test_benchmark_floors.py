"""`make bench` compares each API list and page with a floor that must fetch the same rows."""

import orjson
import pytest

from benchmarks.lists import api_floor, api_lists, page_floors
from notices.api.views import NoticeViewSet
from tests.factories import ActionPointFactory, AgendaItemFactory, InvitationFactory, MeetingFactory
from tests.notices.delivery_log import delivery_log, guest_create


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


@pytest.mark.parametrize("persona", ["chair", "member", "secretariat"])
def test_the_delivery_logs_floor_reads_it_as_the_list_does(cast, client, persona):
    """The log merged from its parts on SQLite (notices.api.views): the floor reads it
    the same way, and gets the list's notices in its order."""
    delivery_log(cast, guest_create())
    user = cast.user(persona)
    client.force_login(user)
    page = client.get("/api/v1/notices/", {"page_size": 100}).json()["results"]

    floor = orjson.loads(api_floor(NoticeViewSet, user))

    assert page
    assert [row["id"] for row in floor][:100] == [row["id"] for row in page]


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


@pytest.mark.django_db
def test_the_benchmarks_request_is_the_servers_answer_to_the_signed_in_user(cast, client):
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from benchmarks.lists import ServerRequests

    InvitationFactory(
        meeting=MeetingFactory(group=cast.mwg, calendar_uid="server@test.local"),
        person=cast.member_person,
    )
    client.force_login(cast.member)
    request = ServerRequests(client)
    # The request's start and end close a connection left in a transaction: the test's
    # own, here (the test client keeps them apart the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = request("/api/v1/invitations/", {"page_size": 100})
        with pytest.raises(AssertionError, match="404"):
            request("/api/v1/invitations/999999/")
        # A page's forms set the CSRF cookie once; it is sent back, as a browser does.
        request("/")
        csrf = request.cookies[settings.CSRF_COOKIE_NAME]
        request("/meetings/")
        assert request.cookies[settings.CSRF_COOKIE_NAME] == csrf
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    expected = client.get("/api/v1/invitations/", {"page_size": 100})
    assert orjson.loads(body) == expected.json()
    assert orjson.loads(body)["results"]
