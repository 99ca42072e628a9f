"""The delivery log and webhook endpoints, for member agencies and the secretariat."""

import datetime as dt
import functools
import operator

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from meetings import announcements
from meetings.api.serializers import MeetingUpdateInputSerializer
from meetings.api.views import meeting_patched
from meetings.permissions import meeting_get_for_user, meetings_visible_to
from meetings.selectors import invitation_preview, update_preview
from meetings.services import meeting_fields_changed, meeting_sequence_locked
from notices.api.serializers import (
    InvitationPreviewSerializer,
    NoticeSerializer,
    UpdatePreviewSerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateInputSerializer,
)
from notices.content import invitation_previews, update_previews
from notices.models import Notice
from notices.permissions import (
    notice_get_for_user,
    notice_log_parts,
    notice_log_recipients,
    notices_sent_to_q,
    notices_visible_to,
    webhook_endpoint_check_register,
    webhook_endpoint_get_for_user,
    webhook_endpoints_visible_to,
)
from notices.selectors import notice_list
from notices.services import notice_resend, webhook_endpoint_register, webhook_endpoint_update
from portal.api.filters import FilterSet, IdFilter
from portal.api.pagination import PageNumberPagination
from portal.api.rows import RowPlan, plan_for
from portal.api.serializers import utc_iso
from portal.api.views import FunnelViewSet
from portal.compiled import CompiledForIds
from portal.ordering import merged_in_order
from portal.trials import rolled_back

# Newest first, as the log's list, its parts and its compiled first page read it.
LOG_ORDER = ("-created_at", "-id")


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
        return notice_list(queryset=queryset).order_by(*LOG_ORDER)

    def listed(self, queryset):
        if plan_for(self.output_serializer_class) is None:
            # Instances would lose their failed attempts: a union takes no prefetch.
            return queryset
        user = self.request.user
        return merged_in_order(queryset, lambda: notice_log_parts(user), *LOG_ORDER)

    def list(self, request, *args, **kwargs):
        """Newest first; filter by meeting, action point, person, status, kind, channel."""
        first_page = _first_page_sent_to(request)
        if first_page is None:
            return super().list(request, *args, **kwargs)
        return self.paginated_rows(first_page.plan, first_page)

    @extend_schema(request=None, responses={201: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send this notice again, as a new line of the log (secretariat and chairs)."""
        copy = notice_resend(notice=self.get_object(resend=True), by=request.user)
        return self.render(
            self.select(Notice.objects.filter(pk=copy.pk)).get(), code=status.HTTP_201_CREATED
        )


class _FirstPageSentTo:
    """The first page of the log of a reader whose log is what was sent to them
    (notice_log_recipients), as the list reads it (the funnel, `NoticeViewSet.select`,
    `listed`, the plan's columns), run by SQL compiled once per database connection,
    number of endpoints and page length (portal.compiled.CompiledForIds), with their
    person's and endpoints' ids. Building and compiling the union of its parts (what went
    to the person, each endpoint's calls) cost an agency four times what running it did:
    1.3 ms against 0.33 ms of SQL, where the secretariat's one query is built and
    compiled in 0.4 ms. The pagination slices it as it would the queryset; only the first
    page is kept compiled, for the first LENGTHS_KEPT page sizes asked (25, the default,
    and 100, the largest, are what clients ask; each keeps up to CompiledForIds.KEPT
    numbers of endpoints)."""

    LENGTHS_KEPT = 4
    _kept: dict[int, CompiledForIds] = {}

    def __init__(self, plan: RowPlan, ids: list[int], length: int):
        self.plan = plan
        self.ids = ids
        self.length = length

    @classmethod
    def keeps(cls, length: int) -> bool:
        return length in cls._kept or len(cls._kept) < cls.LENGTHS_KEPT

    def __getitem__(self, rows: slice) -> list[dict]:
        if rows.start or rows.stop != self.length:
            raise IndexError("the first page only, of the length it was made for")
        compiled = self._kept.get(self.length)
        if compiled is None:
            build = functools.partial(_log_sent_to, self.plan, rows=self.length)
            compiled = self._kept.setdefault(self.length, CompiledForIds(build))
        return compiled.rows(self.ids)


def _log_sent_to(plan: RowPlan, ids: list[int], *, rows: int) -> QuerySet:
    person_id, *endpoint_ids = ids
    parts = notices_sent_to_q(person_id, endpoint_ids)
    selected = NoticeViewSet().select(Notice.objects.filter(functools.reduce(operator.or_, parts)))
    listed = merged_in_order(selected, lambda: parts, *LOG_ORDER)
    return plan.values(listed)[:rows]


def _first_page_sent_to(request) -> _FirstPageSentTo | None:
    """The compiled first page for this request of the log, if it asks for the first
    page unfiltered and its reader's log is what was sent to them; None otherwise."""
    query = request.query_params
    if not set(query) <= {"page", "page_size"} or query.get("page", "1") != "1":
        return None
    # A size the pagination refuses (a 400) is its to answer, through the queryset.
    size = query.get("page_size", str(PageNumberPagination.page_size))
    if not (size.isascii() and size.isdigit()):
        return None
    if not 1 <= int(size) <= PageNumberPagination.max_page_size:
        return None
    length = int(size) + 1  # the pagination reads one row more, to know of a next page
    plan = plan_for(NoticeViewSet.output_serializer_class)
    if plan is None or not _FirstPageSentTo.keeps(length):
        return None
    recipients = notice_log_recipients(request.user)
    if recipients is None:
        return None
    person_id, endpoint_ids = recipients
    return _FirstPageSentTo(plan, [person_id, *endpoint_ids], length)


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


def _api_value(value) -> str:
    """A field's value as the meeting's resource gives it (a time in UTC, ISO 8601)."""
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    return "" if value is None else str(value)


class MeetingUpdatePreviewViewSet(FunnelViewSet):
    """What a change to a meeting will send, before it is saved (POST
    /meetings/{id}/update-preview/). Served by the notices app for the reason the
    invitation's preview is."""

    visible = staticmethod(meetings_visible_to)
    get_for_user = staticmethod(meeting_get_for_user)
    output_serializer_class = UpdatePreviewSerializer

    @extend_schema(request=MeetingUpdateInputSerializer, responses=UpdatePreviewSerializer)
    def update_preview(self, request, pk=None):
        """Takes the body a PATCH of the meeting would take, and answers whether the
        change sends an update and, if so, what changes, whom it goes to (by
        organisation, those without an e-mail address, the member organisations whose
        systems are told) and the e-mail in each language. Nothing is saved or sent: the
        change is made by the code that saves it, in a transaction rolled back once the
        answer is written. To save exactly that, PATCH the same body with
        `previewed_sequence` and `previewed_addressees` from this answer. For those who
        may change the meeting; a change the PATCH would refuse is refused here alike."""
        meeting = self.get_object(manage=True)
        data = self.validated(MeetingUpdateInputSerializer, instance=meeting)
        # Tried on a copy read anew: `meeting` stays the meeting as it is.
        trial = self.get_object(manage=True)

        def answer() -> Response:
            sequence_before = meeting_sequence_locked(trial)
            after = meeting_patched(meeting=trial, data=data, by=request.user)
            return self.render(self._answer(meeting, trial, after, sequence_before=sequence_before))

        return rolled_back(answer)

    @staticmethod
    def _answer(meeting, before, after, *, sequence_before: int) -> dict:
        changed = meeting_fields_changed(before, after)
        changes = [
            {
                "field": name,
                "before": _api_value(getattr(before, name)),
                "after": _api_value(getattr(after, name)),
            }
            for name in MEETING_CHANGE_ORDER
            if name in changed
        ]
        answer = {
            "meeting": meeting,
            "sends_update": after.sequence != sequence_before,
            "changes": changes,
            "invitee_count": 0,
            "invitees": [],
            "without_email": [],
            "webhook_organisations": [],
            "messages": [],
            "previewed_sequence": sequence_before,
            "previewed_addressees": "",
        }
        if answer["sends_update"]:
            addressees = announcements.update_addressees(after)
            preview = update_preview(
                before=before,
                after=after,
                changed=changed,
                person_ids=addressees.person_ids,
                webhook_organisation_ids=addressees.endpoint_organisation_ids,
            )
            answer.update(
                invitee_count=preview.invitee_count,
                invitees=preview.invitees,
                without_email=preview.without_email,
                webhook_organisations=preview.webhook_organisations,
                messages=update_previews(after, preview.recipients),
                previewed_addressees=addressees.digest(),
            )
        return answer


# The order the changes are listed in, as the meeting's resource orders its fields.
MEETING_CHANGE_ORDER = (
    "title",
    "kind",
    "start_at",
    "end_at",
    "time_zone",
    "venue",
    "online_url",
    "description",
    "short_notice_reason",
)
