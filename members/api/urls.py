from django.urls import path
from rest_framework.routers import SimpleRouter

from members.api.views import OrganisationViewSet, PersonViewSet, TokenCreateView, TokenViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("people", PersonViewSet, basename="person")

tokens = TokenViewSet.as_view({"get": "list"})
urlpatterns = [
    path("auth/token/", TokenCreateView.as_view(), name="token-create"),
    path("auth/tokens/", tokens, name="token-list"),
    path(
        "auth/tokens/<str:token_key>/",
        TokenViewSet.as_view({"delete": "destroy"}),
        name="token-detail",
    ),
    *router.urls,
]
