"""The limits agree: the longest minutes the portal takes (200,000 characters) pass the
request size limit in Arabic, whether a form or JSON with every letter escaped carries
them; longer minutes get a 400 naming the field, not a 413."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.models import MINUTES_MAX_CHARS, Minutes
from meetings.services import meeting_create, meeting_mark_held
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
ARABIC = "محضر الاجتماع "


def _held(cast):
    start = timezone.now() - dt.timedelta(days=2)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    return meeting_mark_held(meeting=meeting, by=None)


def _arabic(length: int) -> str:
    return (ARABIC * (length // len(ARABIC) + 1))[:length]


def test_the_longest_arabic_minutes_pass_as_escaped_json(client_for, cast):
    meeting = _held(cast)
    body = json.dumps({"meeting": meeting.pk, "body": _arabic(MINUTES_MAX_CHARS)})
    assert len(body.encode()) > 1_000_000  # every letter written as \\u06xx
    response = client_for("secretariat").generic(
        "POST", f"{V1}/minutes/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content[:300]
    assert len(Minutes.objects.get(meeting=meeting).body) == MINUTES_MAX_CHARS


def test_minutes_one_character_too_long_are_a_400_naming_the_body(client_for, cast):
    meeting = _held(cast)
    before = fingerprint()
    body = json.dumps({"meeting": meeting.pk, "body": _arabic(MINUTES_MAX_CHARS + 1)})
    response = client_for("secretariat").generic(
        "POST", f"{V1}/minutes/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert "body" in response.json()["errors"]
    assert fingerprint() == before


def test_the_longest_arabic_minutes_pass_through_the_page(client, cast):
    meeting = _held(cast)
    client.force_login(cast.secretariat)
    response = client.post(
        reverse("meeting-minutes", args=[meeting.pk]), {"body": _arabic(MINUTES_MAX_CHARS)}
    )
    assert response.status_code == 302
    assert len(Minutes.objects.get(meeting=meeting).body) == MINUTES_MAX_CHARS


def test_the_request_limit_is_above_what_the_longest_minutes_need():
    # Six bytes a letter: %D8%A7 in a form, \\u0627 in JSON.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= MINUTES_MAX_CHARS * 6 + 4096
