from django.urls import re_path
from rest_framework.routers import SimpleRouter

from notices.api.views import (
    MeetingInvitationPreviewViewSet,
    NoticeViewSet,
    WebhookEndpointViewSet,
)

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
urlpatterns = [
    *router.urls,
    # One action on the meetings resource, served here (see the viewset's docstring).
    re_path(
        r"^meetings/(?P<pk>[^/]+)/invitation-preview/$",
        MeetingInvitationPreviewViewSet.as_view({"get": "invitation_preview"}),
        name="meeting-invitation-preview",
    ),
]
