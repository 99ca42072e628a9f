"""Notices API serializers: the delivery log and webhook endpoints."""

from rest_framework import serializers

from groups.permissions import organisations_visible_to
from meetings.api.serializers import (
    InviteesOfOrganisationSerializer,
    MeetingBriefSerializer,
    UnreachedOrganisationSerializer,
)
from members.api.serializers import OrganisationBriefSerializer, PersonBriefSerializer
from members.models import Language
from notices.models import Notice, NoticeAttempt, WebhookEndpoint
from notices.selectors import failed_attempts_listed
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
            "series",
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

    ROW_MANY = {"failed_attempts": ("notice", failed_attempts_listed)}


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
    reference = serializers.CharField(
        allow_blank=True, help_text="The official reference, e.g. MWG/2026/04; '' for a draft."
    )
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
    short_notice = serializers.BooleanField(
        help_text="Called inside the group's notice period (its terms of reference)."
    )
    short_notice_reason = serializers.CharField(
        allow_blank=True, help_text="Why it was called at short notice, or ''."
    )


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
    reference = serializers.CharField(
        allow_blank=True,
        help_text="The official reference of the meeting, e.g. MWG/2026/04; '' when the "
        "meeting is restricted and does not name the receiving organisation.",
    )
    title = serializers.CharField(
        allow_blank=True,
        help_text="'' when the meeting is restricted and does not name the receiving "
        "organisation (which still hears of its own action point).",
    )


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


class WebhookPaperSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The document's id (GET /api/v1/documents/{id}/).")
    title = serializers.CharField()
    title_ar = serializers.CharField(allow_blank=True)
    title_fr = serializers.CharField(allow_blank=True)
    language = serializers.CharField(help_text="The file's language: en, ar, fr, mul or other.")
    agenda_item = serializers.IntegerField(
        allow_null=True, help_text="The agenda item's id, or null for the meeting's own paper."
    )
    version = serializers.IntegerField(help_text="1 for a new paper, more for a new version.")
    uploaded_at = UTCDateTimeField()


class WebhookPapersAddedDataSerializer(serializers.Serializer):
    meeting = WebhookMeetingSerializer()
    paper = WebhookPaperSerializer()


class WebhookPapersAddedEventSerializer(WebhookEventSerializer):
    data = WebhookPapersAddedDataSerializer()  # type: ignore[assignment]  # as above


class MessagePreviewSerializer(serializers.Serializer):
    """An e-mail (an invitation, an update) in one language, as it will be sent."""

    language = serializers.ChoiceField(choices=Language.choices)
    subject = serializers.CharField()
    text = serializers.CharField(
        help_text="The plain-text body, addressed to the first recipient in this language; "
        "the answer links stand for each invitee's own."
    )
    recipient_count = serializers.IntegerField(
        help_text="How many invitees get it in this language."
    )


class InvitationPreviewSerializer(serializers.Serializer):
    """What scheduling the meeting will send, before anything is sent."""

    meeting = MeetingBriefSerializer()
    invitee_count = serializers.IntegerField()
    invitees = InviteesOfOrganisationSerializer(
        many=True, help_text="Who will be invited, by organisation (none last)."
    )
    unreached_organisations = UnreachedOrganisationSerializer(
        many=True,
        help_text="Current member organisations of the group (observers too) with nobody invited.",
    )
    without_email = PersonBriefSerializer(
        many=True, help_text="Invitees with no e-mail address: they will get nothing."
    )
    messages = MessagePreviewSerializer(
        many=True, help_text="The invitation in each language its recipients read."
    )


class MeetingChangeSerializer(serializers.Serializer):
    """One field of the meeting that the change gives a new value."""

    field = serializers.CharField(
        help_text="As in the meeting's resource: title, kind, start_at, end_at, time_zone, "
        "venue, online_url, description or short_notice_reason."
    )
    before = serializers.CharField(help_text="Its value now (times in UTC, ISO 8601).")
    after = serializers.CharField(help_text="Its value after the change.")


class UpdatePreviewSerializer(serializers.Serializer):
    """What saving a change to a meeting will send, before anything is saved or sent."""

    meeting = MeetingBriefSerializer(help_text="The meeting as it is now.")
    sends_update = serializers.BooleanField(
        help_text="Whether the change sends an update: a scheduled meeting whose time, "
        "place, link or time zone changes. If false, PATCH saves it and tells nobody."
    )
    changes = MeetingChangeSerializer(many=True)
    invitee_count = serializers.IntegerField(
        help_text="The invitees and alternates the update is written for (those who may "
        "see the meeting under the label the change leaves)."
    )
    invitees = InviteesOfOrganisationSerializer(
        many=True, help_text="The same people, by organisation (none last)."
    )
    without_email = PersonBriefSerializer(
        many=True, help_text="Those of them with no e-mail address: they will get nothing."
    )
    webhook_organisations = OrganisationBriefSerializer(
        many=True, help_text="Member organisations whose systems are told by webhook."
    )
    messages = MessagePreviewSerializer(
        many=True, help_text="The update e-mail in each language its recipients read."
    )
    previewed_sequence = serializers.IntegerField(
        help_text="Give it back with `previewed_addressees` in the PATCH that saves the "
        "change: it saves only what was previewed."
    )
    previewed_addressees = serializers.CharField(
        allow_blank=True,
        help_text="A digest of whom the update goes to; empty when the change sends none.",
    )


class WebhookSeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    group = WebhookGroupSerializer()
    status = serializers.CharField(help_text="active or cancelled.")
    kind = serializers.CharField()
    rule = serializers.CharField(
        help_text="The iCalendar RRULE, e.g. FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=12."
    )
    start_time = serializers.CharField(help_text="HH:MM on the wall clock of `time_zone`.")
    duration_minutes = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="The series' own zone, e.g. Africa/Tripoli.")
    venue = serializers.CharField(allow_blank=True)
    online_url = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    sequence = serializers.IntegerField(help_text="Rises with every change invitees must hear.")


class WebhookOccurrenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The meeting's id.")
    reference = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="scheduled, held or cancelled.")
    start_at = UTCDateTimeField()
    end_at = UTCDateTimeField()
    slot = UTCDateTimeField(help_text="Its place in the rule (the iCalendar RECURRENCE-ID).")
    changed_by_hand = serializers.BooleanField(
        help_text="Moved or changed on its own: changes to the series pass it by."
    )


class WebhookSeriesDataSerializer(serializers.Serializer):
    series = WebhookSeriesSerializer()
    occurrences = WebhookOccurrenceSerializer(many=True)
    reason = serializers.CharField(required=False, help_text="series.cancelled only.")


class WebhookSeriesEventSerializer(WebhookEventSerializer):
    data = WebhookSeriesDataSerializer()  # type: ignore[assignment]  # as above
