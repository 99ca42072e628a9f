"""The API's sign-in: tokens for member agencies' systems.

The directory (organisations, people) is served by groups/api, since who may see
whom follows from the groups they sit in.
"""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from members.api.serializers import NewTokenSerializer, TokenLoginInputSerializer, TokenSerializer
from members.permissions import api_token_get_for_user, api_tokens_visible_to
from members.services import api_token_create, api_token_revoke
from portal.api.throttles import LoginRateThrottle
from portal.api.views import FunnelViewSet


class TokenCreateView(GenericAPIView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]
    serializer_class = TokenLoginInputSerializer

    @extend_schema(request=TokenLoginInputSerializer, responses={201: NewTokenSerializer}, auth=[])
    def post(self, request):
        """One token per client system; throttled per client address, failures included."""
        serializer = TokenLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = serializer.validated_data
        user = authenticate(
            request, username=credentials["username"], password=credentials["password"]
        )
        if user is None:
            raise ValidationError(_("Wrong username or password."))
        token, secret = api_token_create(user=user)
        token.token = secret
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenViewSet(FunnelViewSet):
    """Your API tokens: list them and revoke them."""

    visible = staticmethod(api_tokens_visible_to)
    get_for_user = staticmethod(api_token_get_for_user)
    output_serializer_class = TokenSerializer
    lookup_field = "token_key"
    filterset_class = None

    def select(self, queryset):
        return queryset.order_by("-created")

    def object_id(self) -> str:
        return self.kwargs["token_key"]

    def destroy(self, request, token_key=None):
        """Revoke a token: clients using it are refused at once."""
        api_token_revoke(token=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
