"""Notices API serializers: the delivery log and webhook endpoints."""

from rest_framework import serializers

from groups.permissions import organisations_visible_to
from members.api.serializers import OrganisationBriefSerializer, PersonBriefSerializer
from notices.models import Notice, NoticeAttempt, WebhookEndpoint
from portal.api.serializers import InputSerializer, OutputModelSerializer, VisibleRelatedField


class NoticeAttemptSerializer(OutputModelSerializer):
    class Meta:
        model = NoticeAttempt
        fields = ["at", "is_permanent", "error"]


class NoticeSerializer(OutputModelSerializer):
    """One line of the delivery log: what went to whom, when, and what failed."""

    person = PersonBriefSerializer(allow_null=True)
    endpoint_url = serializers.CharField(source="endpoint.url", allow_null=True, default=None)
    failed_attempts = NoticeAttemptSerializer(many=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "channel",
            "event",
            "meeting",
            "action_point",
            "person",
            "endpoint",
            "endpoint_url",
            "status",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "last_error",
            "created_at",
            "failed_attempts",
        ]


class WebhookEndpointSerializer(OutputModelSerializer):
    organisation = OrganisationBriefSerializer()

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "organisation", "url", "events", "is_active", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """As registered, with the signing secret: shown this once, keep it safe."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointInputSerializer(InputSerializer):
    organisation = VisibleRelatedField(visible=organisations_visible_to)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        required=False,
        default=list,
        max_length=len(WebhookEndpoint.Event.choices),
        help_text="Events to receive; empty for all.",
    )


class WebhookEndpointUpdateInputSerializer(InputSerializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        required=False,
        max_length=len(WebhookEndpoint.Event.choices),
        help_text="Events to receive; empty for all.",
    )
    is_active = serializers.BooleanField(required=False)
