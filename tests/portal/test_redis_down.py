"""Redis stopped mid-test: pages and the API keep reading and writing, throttles and
one-time form tokens keep working from the process's memory, notices wait in the outbox,
and /health/ says so. Each test runs a Redis of its own and stops only that one."""

import datetime as dt
import logging
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import AgendaItem, Meeting
from meetings.services import agenda_item_add, invitations_create_for_group, meeting_create
from members.services import api_token_create
from notices.models import Notice
from tests.factories import PASSWORD
from tests.servers import start_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_server(settings):
    """The portal's cache and broker pointed at a Redis of the test's own."""
    server = start_redis()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCacheWithFallback",
            "LOCATION": server.url,
            "KEY_PREFIX": "tansiq-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with publishing_to(server.url):
        yield server
    server.stop()


@contextmanager
def publishing_to(url: str):
    """Point this process's Celery app at `url` and really publish to it."""
    from portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None


@pytest.fixture
def draft(cast):
    start = timezone.now() + dt.timedelta(days=7)
    meeting = meeting_create(
        group=cast.health,
        title="Health sub-group: referral pathway",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=cast.secretariat,
    )
    agenda_item_add(meeting=meeting, title="Opening", by=cast.secretariat)
    invitations_create_for_group(meeting=meeting, by=cast.secretariat)
    return meeting


def _api_client(user) -> APIClient:
    _token, secret = api_token_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def _add_agenda_item(client, meeting: Meeting, title: str, form_token: str):
    return client.post(
        reverse("agenda-item-add", args=[meeting.pk]),
        {"title": title, "duration_minutes": 15, "form_token": form_token},
    )


def _titles(meeting: Meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("position").values_list("title", flat=True))


def test_pages_and_api_keep_reading_and_writing_after_redis_stops(
    client, cast, draft, redis_server, django_capture_on_commit_callbacks, caplog
):
    api = _api_client(cast.secretariat)
    client.force_login(cast.secretariat)
    # Before: everything goes through Redis.
    assert api.get("/api/v1/meetings/").status_code == 200
    assert _add_agenda_item(client, draft, "Before the outage", "before").status_code == 302

    redis_server.stop()

    with caplog.at_level(logging.WARNING):
        listed = api.get("/api/v1/meetings/")
        created = api.post(
            "/api/v1/agenda-items/",
            {"meeting": draft.pk, "title": "Through the API"},
            format="json",
        )
        added = _add_agenda_item(client, draft, "During the outage", "during")
        repeated = _add_agenda_item(client, draft, "During the outage", "during")
        with django_capture_on_commit_callbacks(execute=True):
            scheduled = client.post(
                reverse("meeting-schedule", args=[draft.pk]), {"form_token": "schedule"}
            )
        health = client.get("/health/")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [draft.pk]
    assert created.status_code == 201
    assert (added.status_code, repeated.status_code, scheduled.status_code) == (302, 302, 302)
    # The double submit is still caught: the token was claimed in this process's memory.
    assert _titles(draft) == [
        "Opening",
        "Before the outage",
        "Through the API",
        "During the outage",
    ]
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.SCHEDULED
    # The notices wait in the outbox for the sweep once the broker is back.
    invitees = draft.invitations.count()
    assert invitees > 0
    assert Notice.objects.filter(status="pending").count() == invitees
    assert "Redis cache unreachable" in caplog.text
    assert "Notices written but not enqueued" in caplog.text
    assert health.status_code == 200
    body = health.json()
    assert (body["status"], body["database"], body["cache"]) == ("degraded", "ok", "fallback")
    assert body["broker"].startswith("error: ")


def test_health_reports_the_cache_back_when_redis_returns(client, redis_server):
    assert client.get("/health/").json()["cache"] == "ok"
    redis_server.stop()
    assert client.get("/health/").json()["cache"] == "fallback"

    restarted = start_redis(port=redis_server.port)
    try:
        body = client.get("/health/").json()
    finally:
        restarted.stop()

    assert (body["status"], body["broker"], body["cache"]) == ("ok", "ok", "ok")


def test_token_guessing_is_still_throttled_while_redis_is_down(cast, redis_server):
    redis_server.stop()
    api = APIClient()

    answers = [
        api.post(
            "/api/v1/auth/token/", {"username": f"guess{n}", "password": "wrong"}, format="json"
        ).status_code
        for n in range(11)
    ]
    right = api.post(
        "/api/v1/auth/token/", {"username": "member", "password": PASSWORD}, format="json"
    )

    assert answers == [400] * 10 + [429]
    assert right.status_code == 429
    assert not cast.member.auth_token_set.exists()


def test_a_page_double_submit_during_the_outage_writes_once(client, cast, draft, redis_server):
    client.force_login(cast.secretariat)
    redis_server.stop()

    first = _add_agenda_item(client, draft, "Referral pathway", "once")
    second = _add_agenda_item(client, draft, "Referral pathway", "once")

    assert (first.status_code, second.status_code) == (302, 302)
    assert AgendaItem.objects.filter(meeting=draft, title="Referral pathway").count() == 1
