from rest_framework.routers import SimpleRouter

from groups.api.views import GroupViewSet, MembershipViewSet, OrganisationViewSet, PersonViewSet

router = SimpleRouter()
router.register("groups", GroupViewSet, basename="group")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("people", PersonViewSet, basename="person")
urlpatterns = router.urls
