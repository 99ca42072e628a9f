"""The delivery log and webhook endpoints, for member agencies and the secretariat."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action

from meetings.permissions import meeting_get_for_user, meetings_visible_to
from meetings.selectors import invitation_preview
from notices.api.serializers import (
    InvitationPreviewSerializer,
    NoticeSerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateInputSerializer,
)
from notices.content import invitation_previews
from notices.models import Notice
from notices.permissions import (
    notice_get_for_user,
    notice_log_parts,
    notices_visible_to,
    webhook_endpoint_check_register,
    webhook_endpoint_get_for_user,
    webhook_endpoints_visible_to,
)
from notices.selectors import notice_list
from notices.services import notice_resend, webhook_endpoint_register, webhook_endpoint_update
from portal.api.filters import FilterSet, IdFilter
from portal.api.rows import plan_for
from portal.api.views import FunnelViewSet
from portal.ordering import merged_in_order


class NoticeFilter(FilterSet):
    meeting = IdFilter(field_name="meeting_id")
    action_point = IdFilter(field_name="action_point_id")
    person = IdFilter(field_name="person_id")
    status = filters.MultipleChoiceFilter(choices=Notice.Status.choices)
    kind = filters.MultipleChoiceFilter(choices=Notice.Kind.choices)
    channel = filters.ChoiceFilter(choices=Notice.Channel.choices)

    class Meta:
        model = Notice
        fields = ["meeting", "action_point", "person", "status", "kind", "channel"]


class NoticeViewSet(FunnelViewSet):
    """The delivery log: the notices sent to you and to your organisation's webhooks;
    for those who run a meeting, every notice of that meeting, per recipient."""

    visible = staticmethod(notices_visible_to)
    get_for_user = staticmethod(notice_get_for_user)
    output_serializer_class = NoticeSerializer
    filterset_class = NoticeFilter

    def select(self, queryset):
        return notice_list(queryset=queryset).order_by("-created_at", "-id")

    def listed(self, queryset):
        if plan_for(self.output_serializer_class) is None:
            # Instances would lose their failed attempts: a union takes no prefetch.
            return queryset
        user = self.request.user
        return merged_in_order(queryset, lambda: notice_log_parts(user), "-created_at", "-id")

    @extend_schema(request=None, responses={201: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send this notice again, as a new line of the log (secretariat and chairs)."""
        copy = notice_resend(notice=self.get_object(resend=True), by=request.user)
        return self.render(
            self.select(Notice.objects.filter(pk=copy.pk)).get(), code=status.HTTP_201_CREATED
        )


class WebhookEndpointViewSet(FunnelViewSet):
    """Your organisation's webhook endpoints: events signed with HMAC-SHA256."""

    visible = staticmethod(webhook_endpoints_visible_to)
    get_for_user = staticmethod(webhook_endpoint_get_for_user)
    output_serializer_class = WebhookEndpointSerializer

    def select(self, queryset):
        return queryset.select_related("organisation").order_by("id")

    @extend_schema(
        request=WebhookEndpointInputSerializer, responses={201: WebhookEndpointCreatedSerializer}
    )
    def create(self, request):
        """Register a URL for an organisation you act for; the answer holds the secret
        (shown once) that signs every call."""
        data = self.validated(WebhookEndpointInputSerializer)
        organisation = data["organisation"]
        webhook_endpoint_check_register(request.user, organisation)
        endpoint = webhook_endpoint_register(
            organisation=organisation, url=data["url"], events=data["events"], by=request.user
        )
        return self.render(endpoint, WebhookEndpointCreatedSerializer, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookEndpointUpdateInputSerializer, responses=WebhookEndpointSerializer
    )
    def partial_update(self, request, pk=None):
        """Change an endpoint's URL or events, or switch it off or on."""
        endpoint = self.get_object()
        data = self.validated(WebhookEndpointUpdateInputSerializer)
        return self.render(webhook_endpoint_update(endpoint=endpoint, by=request.user, **data))


class MeetingInvitationPreviewViewSet(FunnelViewSet):
    """What scheduling a meeting will send, before it is sent (GET
    /meetings/{id}/invitation-preview/). Served by the notices app, not by the meetings
    viewset, because the message is rendered by notices.content, which the meetings
    app may not import."""

    visible = staticmethod(meetings_visible_to)
    get_for_user = staticmethod(meeting_get_for_user)
    output_serializer_class = InvitationPreviewSerializer

    @extend_schema(responses=InvitationPreviewSerializer)
    def invitation_preview(self, request, pk=None):
        """Who scheduling the meeting will invite (by organisation), which current member
        organisations of the group (observers too) have nobody invited and why, which
        invitees have no e-mail address, and the invitation in each language it goes out
        in. Nothing is sent; `POST /meetings/{id}/schedule/` sends it. For those who may
        schedule the meeting."""
        meeting = self.get_object(manage=True)
        preview = invitation_preview(meeting)
        body = {
            "meeting": meeting,
            "invitee_count": preview.invitee_count,
            "invitees": preview.invitees,
            "unreached_organisations": preview.unreached_organisations,
            "without_email": preview.without_email,
            "messages": invitation_previews(
                meeting, preview.recipients, reference=preview.reference
            ),
        }
        return self.render(body)
