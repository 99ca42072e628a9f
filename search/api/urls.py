from rest_framework.routers import SimpleRouter

from search.api.views import SearchViewSet

router = SimpleRouter()
router.register("search", SearchViewSet, basename="search")
urlpatterns = router.urls
