"""The webhook calls of the written procedure, described for the OpenAPI schema: a
draft decision circulated to the group, and its outcome (adopted, not adopted with the
objections, or withdrawn)."""

from drf_spectacular.utils import OpenApiWebhook, extend_schema
from rest_framework import serializers

from decisions.models import WrittenProcedure
from notices.api.serializers import WebhookEventSerializer, WebhookGroupSerializer
from notices.api.webhooks import RECEIVED, SIGNED
from portal.api.serializers import UTCDateTimeField


class WebhookOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WebhookObjectionSerializer(serializers.Serializer):
    organisation = WebhookOrganisationSerializer()
    reason = serializers.CharField()


class WebhookDecisionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The decision's id (GET /api/v1/decisions/{id}/).")
    reference = serializers.CharField()


class WebhookProcedureSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="The procedure's id (GET /api/v1/written-procedures/{id}/)."
    )
    reference = serializers.CharField(help_text="E.g. MWG/2026/WP3.")
    title = serializers.CharField()
    group = WebhookGroupSerializer()
    status = serializers.ChoiceField(choices=WrittenProcedure.Status.choices)
    deadline = UTCDateTimeField(help_text="Objections are taken until then.")
    circulated_at = UTCDateTimeField(allow_null=True)
    closed_at = UTCDateTimeField(allow_null=True)
    withdrawn_reason = serializers.CharField(allow_blank=True)
    organisations_asked = WebhookOrganisationSerializer(many=True)
    objections = WebhookObjectionSerializer(many=True)
    decision = WebhookDecisionRefSerializer(
        allow_null=True, help_text="The decision adopted, once adopted."
    )


class WebhookProcedureDataSerializer(serializers.Serializer):
    written_procedure = WebhookProcedureSerializer()


class WebhookProcedureEventSerializer(WebhookEventSerializer):
    data = WebhookProcedureDataSerializer()  # type: ignore[assignment]  # described only


def _procedure_webhook(name: str, what: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=what,
            description=what + SIGNED,
            request=WebhookProcedureEventSerializer,
            responses=RECEIVED,
        ),
    )


WRITTEN_PROCEDURE_CIRCULATED = _procedure_webhook(
    "written_procedure.circulated",
    "A draft decision of your group is circulated by written (silence) procedure: the "
    "organisations asked may object until `data.written_procedure.deadline` "
    "(POST /api/v1/written-procedures/{id}/answer/).",
)
WRITTEN_PROCEDURE_CLOSED = _procedure_webhook(
    "written_procedure.closed",
    "A written procedure closed: adopted (`decision`), not adopted (`objections`) or "
    "withdrawn (`withdrawn_reason`).",
)
