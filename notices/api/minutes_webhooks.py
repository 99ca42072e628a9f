"""The webhook calls of the minutes' cycle, described for the OpenAPI schema: draft
minutes circulated to the invited organisations for comments, and the one reminder
that the comment period closes soon (to the organisations that have not commented)."""

from drf_spectacular.utils import OpenApiWebhook, extend_schema
from rest_framework import serializers

from notices.api.serializers import WebhookEventSerializer, WebhookMeetingSerializer
from notices.api.webhooks import RECEIVED, SIGNED
from portal.api.serializers import UTCDateTimeField


class WebhookMinutesCirculatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The minutes' id (GET /api/v1/minutes/{id}/).")
    version = serializers.IntegerField(help_text="The version of the text circulated.")
    circulated_at = UTCDateTimeField()
    comments_until = UTCDateTimeField(help_text="Comments are taken until then.")


class WebhookMinutesCycleDataSerializer(serializers.Serializer):
    meeting = WebhookMeetingSerializer()
    minutes_circulated = WebhookMinutesCirculatedSerializer()


class WebhookMinutesCycleEventSerializer(WebhookEventSerializer):
    data = WebhookMinutesCycleDataSerializer()  # type: ignore[assignment]  # described only


def _minutes_cycle_webhook(name: str, what: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=what,
            description=what + SIGNED,
            request=WebhookMinutesCycleEventSerializer,
            responses=RECEIVED,
        ),
    )


MINUTES_CIRCULATED = _minutes_cycle_webhook(
    "minutes.circulated",
    "Draft minutes of a meeting your organisation was invited to are open for comments "
    "(POST /api/v1/minutes-comments/) until `data.minutes_circulated.comments_until`.",
)
MINUTES_COMMENTS_REMINDER = _minutes_cycle_webhook(
    "minutes.comments_reminder",
    "The comment period on draft minutes closes soon and your organisation has not "
    "commented (sent once).",
)
