from rest_framework.routers import SimpleRouter

from decisions.api.procedures import WrittenProcedureViewSet

router = SimpleRouter()
# The register reads through meetings' /api/v1/decisions/, which the register extends.
router.register("written-procedures", WrittenProcedureViewSet, basename="written-procedure")
urlpatterns = router.urls
