"""The webhook calls the portal makes, described for the OpenAPI schema (`webhooks`).

Each call is a POST of JSON to the registered URL, signed: `X-Tansiq-Signature:
sha256=<hex HMAC-SHA256 of "<X-Tansiq-Timestamp>.<body>" with the endpoint's secret>`.
"""

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema

from notices.api.serializers import (
    WebhookActionPointEventSerializer,
    WebhookMeetingEventSerializer,
    WebhookPapersAddedEventSerializer,
    WebhookSeriesEventSerializer,
)

SIGNED = (
    " Signed with HMAC-SHA256 over `<X-Tansiq-Timestamp>.<body>` with the endpoint's secret, "
    "in `X-Tansiq-Signature: sha256=<hex>`; answer 2xx, or it is retried with backoff."
)
RECEIVED = {200: OpenApiResponse(description="Received; any 2xx will do.")}


def _meeting_webhook(name: str, what: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=what,
            description=what + SIGNED,
            request=WebhookMeetingEventSerializer,
            responses=RECEIVED,
        ),
    )


MEETING_SCHEDULED = _meeting_webhook("meeting.scheduled", "A meeting of your group is called.")
MEETING_UPDATED = _meeting_webhook("meeting.updated", "A scheduled meeting changed.")
MEETING_CANCELLED = _meeting_webhook("meeting.cancelled", "A scheduled meeting is cancelled.")
MINUTES_PUBLISHED = _meeting_webhook(
    "minutes.published", "The minutes of a meeting are published (in `data.minutes`)."
)
MEETING_PAPERS_ADDED = OpenApiWebhook(
    name="meeting.papers_added",
    decorator=extend_schema(
        summary="A paper, or a new version of one, is added to a scheduled meeting.",
        description="A paper, or a new version of one, is added to a scheduled meeting "
        "(one call per version; restricted papers are not announced)." + SIGNED,
        request=WebhookPapersAddedEventSerializer,
        responses=RECEIVED,
    ),
)
ACTION_POINT_DUE = OpenApiWebhook(
    name="action_point.due",
    decorator=extend_schema(
        summary="An action point of your organisation is due soon or overdue.",
        description="An action point of your organisation is due soon or overdue." + SIGNED,
        request=WebhookActionPointEventSerializer,
        responses=RECEIVED,
    ),
)


def _series_webhook(name: str, what: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=what,
            description=what + SIGNED,
            request=WebhookSeriesEventSerializer,
            responses=RECEIVED,
        ),
    )


SERIES_SCHEDULED = _series_webhook(
    "series.scheduled", "A series of meetings of your group is called (its meetings in `data`)."
)
SERIES_UPDATED = _series_webhook(
    "series.updated", "A series changed; its meetings changed on their own are kept."
)
SERIES_CANCELLED = _series_webhook(
    "series.cancelled", "A series is cancelled with its meetings still to come."
)
