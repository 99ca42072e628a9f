"""The API's sign-in: tokens for member agencies' systems.

The directory (organisations, people) is served by groups/api, since who may see
whom follows from the groups they sit in.
"""

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from members.adapters import two_factor_missing_message, user_must_use_two_factor
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
        """One token per client system. Requests are throttled per client address, and
        failed sign-ins per account and per address together with the sign-in page."""
        serializer = TokenLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = serializer.validated_data
        user = _signed_in(
            request._request,
            username=credentials["username"],
            password=credentials["password"],
            code=credentials.get("code", ""),
        )
        token, secret = api_token_create(user=user)
        token.token = secret
        return Response(NewTokenSerializer(token).data, status=status.HTTP_201_CREATED)


def _signed_in(request, *, username: str, password: str, code: str) -> User:
    """The login the credentials name, checked as the sign-in page checks them."""
    try:
        # allauth's check counts each failure against the account and the address in
        # the same counters as the page, so neither door adds guesses to the other.
        user = get_account_adapter(request).authenticate(
            request, username=username, password=password
        )
    except ValidationError as error:
        if error.code == "too_many_login_attempts":
            raise Throttled() from error
        raise
    if user is None:
        raise ValidationError(_("Wrong username or password."))
    if is_mfa_enabled(user):
        # A password alone must not open what the pages keep behind a second factor.
        form = AuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            raise ValidationError({"code": form.errors["code"]})
        form.authenticator.record_usage()
    elif user_must_use_two_factor(user):
        raise PermissionDenied(two_factor_missing_message())
    return user


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
