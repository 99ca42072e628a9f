"""A refusal says nothing about what the caller may not see: permission first, then
validation, so a member cannot learn from the error that draft minutes exist."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import Minutes
from meetings.services import meeting_create, meeting_mark_held, minutes_save
from tests.api.conftest import fingerprint

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.mark.parametrize("has_draft", [True, False])
def test_a_member_writing_minutes_gets_the_same_403_whether_a_draft_exists(
    client_for, cast, has_draft
):
    start = timezone.now() - dt.timedelta(days=2)
    meeting = meeting_create(
        group=cast.mwg,
        title="Plenary",
        start_at=start,
        end_at=start + dt.timedelta(hours=2),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=meeting, by=None)
    if has_draft:
        minutes_save(meeting=meeting, body="Draft, not for members yet.", by=None)
    before = fingerprint()

    response = client_for("member").post(
        f"{V1}/minutes/", {"meeting": meeting.pk, "body": "Ours."}, format="json"
    )

    assert response.status_code == 403
    assert "minutes already" not in response.content.decode()
    assert fingerprint() == before
    assert Minutes.objects.filter(meeting=meeting).count() == (1 if has_draft else 0)
