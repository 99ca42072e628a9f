"""Meetings in each state for the page tests, made through the services."""

import datetime as dt
import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from meetings.services import (
    action_point_create,
    agenda_item_add,
    invitations_create_for_group,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
)


def login(client, cast, persona: str):
    if persona != "anonymous":
        client.force_login(getattr(cast, persona))
    return client


def streamed(response) -> bytes:
    """The whole body of a file response. The test client closes the response (and its
    file) once the body is read; closing it again here would close the database too."""
    return b"".join(response.streaming_content)


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    """Stored files (meeting packs) go to the test's own folder, not under VAR_DIR."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def pack_download(client, media_in_tmp, django_capture_on_commit_callbacks):
    """GET a meeting's pack as the signed-in reader: the first request asks for it, and
    its build runs in-process when the request's transaction commits (here: when the
    test's capture ends), so the waiting page's next request gets the stored file."""

    def download(meeting):
        url = reverse("meeting-pack", args=[meeting.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        if response.status_code == 202:
            response = client.get(url)
        return response

    return download


@pytest.fixture
def draft(cast):
    """A draft meeting of the health sub-group next week, with one agenda item."""
    start = timezone.now() + dt.timedelta(days=7)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: referral pathway",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        venue="Tripoli",
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Opening", by=cast.secretariat)
    return meeting


@pytest.fixture
def scheduled(cast, draft):
    """The draft, with the group invited, then scheduled."""
    invitations_create_for_group(meeting=draft, by=cast.secretariat)
    return meeting_schedule(meeting=draft, by=cast.secretariat)


@pytest.fixture
def held(cast):
    """A health sub-group meeting held an hour ago, invitations sent, one action point
    for the Ministry of Health."""
    start = timezone.now() - dt.timedelta(hours=3)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: launch",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
        record_past=True,
    )
    agenda_item_add(meeting=meeting, title="Welcome", by=cast.secretariat)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    meeting = meeting_mark_held(meeting=meeting, by=cast.secretariat)
    action_point_create(
        meeting=meeting,
        title="Draft the referral pathway",
        owner_organisation=cast.moh,
        due_on=timezone.localdate() - dt.timedelta(days=1),
        by=cast.secretariat,
    )
    return meeting


@pytest.fixture(autouse=True)
def _fresh_form_tokens():
    """Tests reuse fixed form tokens; each test starts with none claimed."""
    cache.clear()
    yield
    cache.clear()


def update_confirmation(page: str) -> dict[str, list[str]]:
    """What the update preview's "Save and send the update" button posts: the hidden
    fields of its form, read back from the page as a browser reads them."""
    start = page.index('id="update-confirm"')
    form = page[start : page.index("</form>", start)]
    posted: dict[str, list[str]] = {"send_update": ["1"]}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        posted.setdefault(html.unescape(name), []).append(html.unescape(value))
    return posted
