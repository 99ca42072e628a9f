"""Notices API serializers: the delivery log and webhook endpoints."""

from rest_framework import serializers

from groups.permissions import organisations_visible_to
from members.api.serializers import OrganisationBriefSerializer, PersonBriefSerializer
from notices.models import Notice, NoticeAttempt, WebhookEndpoint
from portal.api.serializers import (
    InputSerializer,
    OutputModelSerializer,
    UTCDateTimeField,
    VisibleRelatedField,
)


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


# --- What the webhooks send (described for the schema; the bodies are built in
# notices.content.webhook_body from the payload frozen when the event happened) ---------


class WebhookGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WebhookMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    group = WebhookGroupSerializer()
    status = serializers.CharField(help_text="draft, scheduled, held or cancelled.")
    kind = serializers.CharField()
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    time_zone = serializers.CharField(help_text="The meeting's own zone, e.g. Africa/Tripoli.")
    venue = serializers.CharField(allow_blank=True)
    online_url = serializers.CharField(allow_blank=True)
    sequence = serializers.IntegerField(help_text="Rises with every change invitees must hear.")
    cancellation_reason = serializers.CharField(allow_blank=True)


class WebhookMinutesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()


class WebhookMeetingDataSerializer(serializers.Serializer):
    meeting = WebhookMeetingSerializer()
    minutes = WebhookMinutesSerializer(required=False, help_text="minutes.published only.")


class WebhookOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WebhookActionPointMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class WebhookActionPointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    owner_organisation = WebhookOwnerSerializer()
    meeting = WebhookActionPointMeetingSerializer()


class WebhookActionPointDataSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=["soon", "overdue"])
    action_point = WebhookActionPointSerializer()


class WebhookEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The delivery's id, as in X-Tansiq-Delivery.")
    event = serializers.CharField()
    occurred_at = UTCDateTimeField()


class WebhookMeetingEventSerializer(WebhookEventSerializer):
    # A body field named `data` shadows Serializer.data in the stubs; this serializer
    # only describes the body for the schema and is never rendered.
    data = WebhookMeetingDataSerializer()  # type: ignore[assignment]


class WebhookActionPointEventSerializer(WebhookEventSerializer):
    data = WebhookActionPointDataSerializer()  # type: ignore[assignment]  # as above
