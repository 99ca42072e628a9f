"""Pages and the API filter by group the same way: the group and its sub-groups."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.services import action_point_create, meeting_create, meeting_mark_held

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(cast):
    """A held meeting with an action point in the MWG, its health sub-group, and another WG."""
    past = timezone.now() - dt.timedelta(days=2)
    titles = {}
    for group, title in ((cast.mwg, "MWG"), (cast.health, "Health"), (cast.other_wg, "Other")):
        meeting = meeting_create(
            group=group,
            title=title,
            start_at=past,
            end_at=past + dt.timedelta(hours=1),
            by=None,
            record_past=True,
        )
        meeting_mark_held(meeting=meeting, by=None)
        action_point_create(
            meeting=meeting,
            title=f"{title} action",
            owner_organisation=cast.moh,
            due_on=timezone.localdate(),
            by=None,
        )
        titles[title] = meeting
    return titles


def test_meetings_page_and_api_both_include_sub_groups(client, cast, spread):
    client.force_login(cast.secretariat)

    page = client.get(reverse("meeting-list"), {"group": cast.mwg.pk})
    api = client.get("/api/v1/meetings/", {"group": cast.mwg.pk})

    listed = {meeting.title for meeting in page.context["page"]}
    assert listed == {"MWG", "Health"}
    assert {row["title"] for row in api.json()["results"]} == listed
    assert "sub-groups" in page.content.decode()


def test_action_points_page_and_api_both_include_sub_groups(client, cast, spread):
    client.force_login(cast.secretariat)

    page = client.get(reverse("action-point-list"), {"group": cast.mwg.pk})
    api = client.get("/api/v1/action-points/", {"group": cast.mwg.pk})

    listed = {point.title for point in page.context["page"]}
    assert listed == {"MWG action", "Health action"}
    assert {row["title"] for row in api.json()["results"]} == listed
