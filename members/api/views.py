from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from members.api.serializers import (
    MeSerializer,
    NewTokenSerializer,
    OrganisationSerializer,
    PersonSerializer,
    TokenLoginInputSerializer,
    TokenSerializer,
)
from members.models import Organisation, OrganisationKind, Person
from members.permissions import (
    api_token_get_for_user,
    api_tokens_visible_to,
    organisation_get_for_user,
    organisations_visible_to,
    people_visible_to,
    person_get_for_user,
    user_person,
)
from members.selectors import organisation_list, person_list
from members.services import api_token_create, api_token_revoke, person_calendar_token_reset
from portal.api.filters import IdFilter
from portal.api.throttles import LoginRateThrottle
from portal.api.views import FunnelViewSet


class OrganisationFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=OrganisationKind.choices)
    name = filters.CharFilter(lookup_expr="icontains", max_length=200)
    ordering = filters.OrderingFilter(fields=["name", "acronym", "id"])

    class Meta:
        model = Organisation
        fields = ["kind", "name"]


class OrganisationViewSet(FunnelViewSet):
    """Organisations sitting in a group you can see, and your own."""

    visible = staticmethod(organisations_visible_to)
    get_for_user = staticmethod(organisation_get_for_user)
    output_serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter

    def select(self, queryset):
        return organisation_list(queryset=queryset)


class PersonFilter(filters.FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    name = filters.CharFilter(field_name="full_name", lookup_expr="icontains", max_length=200)
    ordering = filters.OrderingFilter(fields=[("full_name", "name"), "id"])

    class Meta:
        model = Person
        fields = ["organisation", "name"]


class PersonViewSet(FunnelViewSet):
    """People of the organisations you can see, and yourself (`/people/me/`)."""

    visible = staticmethod(people_visible_to)
    get_for_user = staticmethod(person_get_for_user)
    output_serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def select(self, queryset):
        return person_list(queryset=queryset)

    def _me(self) -> Person:
        person = user_person(self.request.user)
        if person is None:
            raise Http404(_("Your login is not linked to a person."))
        return person

    @extend_schema(responses=MeSerializer, filters=False)
    @action(detail=False, methods=["get"])
    def me(self, request):
        """You, with the address of your personal calendar feed (.ics)."""
        return self.render(self._me(), MeSerializer)

    @extend_schema(request=None, responses=MeSerializer)
    @action(detail=False, methods=["post"], url_path="me/reset-calendar")
    def reset_calendar(self, request):
        """A new secret calendar address; subscriptions to the old one stop working."""
        person = person_calendar_token_reset(person=self._me(), by=request.user)
        return self.render(person, MeSerializer)


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
