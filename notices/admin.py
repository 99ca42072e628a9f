"""The delivery log (read-only, with Resend) and webhook endpoints, through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notices.models import CalendarReply, Notice, WebhookEndpoint
from notices.services import notice_resend, webhook_endpoint_register, webhook_endpoint_update
from portal.admin_base import NoDeleteMixin, ReadOnlyAdmin, ServiceAdmin, pristine, service_action


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """The delivery log: what went to whom, when, and what failed. Rows are the outbox,
    so they are read-only here; "Resend" writes a new row through the service."""

    list_display = [
        "kind",
        "channel",
        "recipient",
        "meeting",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "channel", "meeting__group"]
    search_fields = [
        "person__full_name",
        "person__email",
        "endpoint__url",
        "meeting__title",
        "last_error",
    ]
    list_select_related = ["person", "endpoint", "meeting"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notice._meta.fields] + ["attempt_log"]
    actions = [service_action(_("Resend"), lambda n, user: notice_resend(notice=n, by=user))]

    @admin.display(description=_("recipient"))
    def recipient(self, obj):
        return obj.person or obj.endpoint

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description=_("failed attempts"))
    def attempt_log(self, obj):
        return "\n".join(f"{a.at:%Y-%m-%d %H:%M:%S} {a.error}" for a in obj.failed_attempts.all())


@admin.register(CalendarReply)
class CalendarReplyAdmin(ReadOnlyAdmin):
    """What the calendar programs' Accept / Decline / Tentative buttons sent back, and
    what became of each: the ignored ones say why."""

    list_display = ["read_at", "sender", "invitation", "answer", "outcome", "reason"]
    list_filter = ["outcome", "reason"]
    search_fields = ["sender", "subject", "invitation__person__full_name", "detail"]
    list_select_related = ["invitation__person", "invitation__meeting"]
    date_hierarchy = "read_at"
    readonly_fields = [field.name for field in CalendarReply._meta.fields]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(NoDeleteMixin, ServiceAdmin):
    list_display = ["url", "organisation", "events", "is_active", "created_at"]
    list_filter = ["is_active", "organisation__kind"]
    search_fields = ["url", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "url", "events", "is_active", "secret"]
    readonly_fields = ["secret"]
    actions = [
        service_action(
            _("Switch off"),
            lambda e, user: webhook_endpoint_update(endpoint=e, is_active=False, by=user),
        ),
        service_action(
            _("Switch on"),
            lambda e, user: webhook_endpoint_update(endpoint=e, is_active=True, by=user),
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "secret"] if obj is not None else ["secret"]

    def service_save(self, request, form, change):
        data = form.cleaned_data
        if change:
            return webhook_endpoint_update(
                endpoint=pristine(form.instance),
                url=data["url"],
                events=data["events"] or [],
                is_active=data["is_active"],
                by=request.user,
            )
        endpoint = webhook_endpoint_register(
            organisation=data["organisation"],
            url=data["url"],
            events=data["events"] or [],
            by=request.user,
        )
        if not data["is_active"]:
            endpoint = webhook_endpoint_update(endpoint=endpoint, is_active=False, by=request.user)
        return endpoint
