from rest_framework.routers import SimpleRouter

from notices.api.views import NoticeViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
urlpatterns = router.urls
