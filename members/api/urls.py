from django.urls import path

from members.api.views import TokenCreateView, TokenViewSet

tokens = TokenViewSet.as_view({"get": "list"})
urlpatterns = [
    path("auth/token/", TokenCreateView.as_view(), name="token-create"),
    path("auth/tokens/", tokens, name="token-list"),
    path(
        "auth/tokens/<str:token_key>/",
        TokenViewSet.as_view({"delete": "destroy"}),
        name="token-detail",
    ),
]
