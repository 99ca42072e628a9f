from django.urls import re_path
from rest_framework.routers import SimpleRouter

from notices.api.views import (
    MeetingInvitationPreviewViewSet,
    MeetingUpdatePreviewViewSet,
    NoticeViewSet,
    WebhookEndpointViewSet,
)

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
urlpatterns = [
    *router.urls,
    # Two actions on the meetings resource, served here (see the viewsets' docstrings).
    re_path(
        r"^meetings/(?P<pk>[^/]+)/invitation-preview/$",
        MeetingInvitationPreviewViewSet.as_view({"get": "invitation_preview"}),
        name="meeting-invitation-preview",
    ),
    re_path(
        r"^meetings/(?P<pk>[^/]+)/update-preview/$",
        MeetingUpdatePreviewViewSet.as_view({"post": "update_preview"}),
        name="meeting-update-preview",
    ),
]
