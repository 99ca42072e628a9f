from rest_framework.routers import SimpleRouter

from documents.api.views import DocumentVersionViewSet, DocumentViewSet

router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")
router.register("document-versions", DocumentVersionViewSet, basename="document-version")
urlpatterns = router.urls
