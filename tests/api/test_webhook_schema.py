"""The webhook bodies the portal sends are what the schema's `webhooks` say, with times
written as the API writes them."""

import datetime as dt
import json

import jsonschema
import pytest
from django.utils import timezone

from meetings.services import (
    action_point_create,
    action_points_remind_due,
    invitation_create,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    meeting_update,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from notices.content import webhook_body
from notices.models import Notice
from notices.services import webhook_endpoint_register
from tests.api.schema import openapi

pytestmark = pytest.mark.django_db


def _webhook_schema(event: str) -> dict:
    schema = openapi()["webhooks"][event]["post"]["requestBody"]["content"]["application/json"]
    return {**schema["schema"], "components": openapi()["components"]}


def test_every_webhook_body_matches_the_schema(cast, settings):
    settings.WEBHOOK_ALLOW_INSECURE = True
    webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)
    soon = timezone.now() + dt.timedelta(days=4)
    upcoming = meeting_create(
        group=cast.mwg,
        title="Upcoming",
        start_at=soon,
        end_at=soon + dt.timedelta(hours=1),
        by=None,
    )
    invitation_create(meeting=upcoming, person=cast.member_person, by=None)
    meeting_schedule(meeting=upcoming, by=None)
    meeting_update(meeting=upcoming, venue="Tripoli", by=None)
    meeting_cancel(meeting=upcoming, reason="Postponed", by=None)
    past = timezone.now() - dt.timedelta(days=2)
    held = meeting_create(
        group=cast.mwg,
        title="Held",
        start_at=past,
        end_at=past + dt.timedelta(hours=1),
        by=None,
        record_past=True,
    )
    meeting_mark_held(meeting=held, by=None)
    minutes = minutes_save(meeting=held, body="Agreed.", by=None)
    minutes_publish(minutes=minutes_approve(minutes=minutes, by=None), by=None)
    action_point_create(
        meeting=held,
        title="Report back",
        owner_organisation=cast.moh,
        due_on=timezone.localdate(),
        by=None,
    )
    action_points_remind_due()

    webhooks = Notice.objects.filter(channel=Notice.Channel.WEBHOOK).order_by("pk")
    events = set()
    for notice in webhooks:
        body = json.loads(webhook_body(notice))
        jsonschema.validate(
            body, _webhook_schema(notice.event), cls=jsonschema.Draft202012Validator
        )
        assert body["occurred_at"].endswith("Z")
        meeting = body["data"].get("meeting")
        if meeting and "start_at" in meeting:
            assert meeting["start_at"].endswith("Z")
        events.add(notice.event)

    assert events == {
        "meeting.scheduled",
        "meeting.updated",
        "meeting.cancelled",
        "minutes.published",
        "action_point.due",
    }
