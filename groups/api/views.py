import functools

from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action

from groups.api.serializers import (
    TERMS_OF_REFERENCE,
    GroupDetailSerializer,
    GroupInputSerializer,
    GroupSerializer,
    GroupUpdateInputSerializer,
    MembershipEndInputSerializer,
    MembershipInputSerializer,
    MembershipSerializer,
    MembershipUpdateInputSerializer,
)
from groups.models import CoordinationGroup, Membership
from groups.permissions import (
    contact_details_columns,
    contact_details_visible_to,
    group_check_may_create_under,
    group_get_for_user,
    groups_visible_to,
    membership_get_for_user,
    memberships_visible_to,
    organisation_get_for_user,
    organisations_visible_to,
    people_visible_to,
    person_get_for_user,
)
from groups.selectors import (
    group_detail,
    group_list_with_chairs,
    membership_list,
    terms_of_reference_for,
)
from groups.services import group_create, group_update, membership_create, membership_end
from groups.services import membership_update as membership_update_service
from members.api.serializers import (
    CONTACT_DETAILS_VISIBLE,
    MeSerializer,
    MeUpdateInputSerializer,
    OrganisationSerializer,
    PersonSerializer,
)
from members.models import Organisation, OrganisationKind, Person
from members.permissions import user_person
from members.selectors import organisation_list, person_list
from members.services import person_calendar_token_reset, person_contact_visibility_set
from portal.api.filters import FilterSet, IdFilter
from portal.api.views import FunnelViewSet


class GroupFilter(FilterSet):
    kind = filters.MultipleChoiceFilter(choices=CoordinationGroup.Kind.choices)
    status = filters.MultipleChoiceFilter(choices=CoordinationGroup.Status.choices)
    parent = IdFilter(field_name="parent_id")
    ordering = filters.OrderingFilter(fields=["name", "kind", "id", "created_at"])

    class Meta:
        model = CoordinationGroup
        fields = ["kind", "status", "parent"]


class GroupViewSet(FunnelViewSet):
    """The framework, working groups and sub-groups you can see, with chair and co-chair."""

    visible = staticmethod(groups_visible_to)
    get_for_user = staticmethod(group_get_for_user)
    output_serializer_class = GroupSerializer
    filterset_class = GroupFilter

    def context_for(self, instances):
        context = super().context_for(instances)
        # Every group's inherited rules, for the whole page in one query.
        context[TERMS_OF_REFERENCE] = terms_of_reference_for(instances)
        return context

    def select(self, queryset):
        if self.action == "retrieve":
            return group_detail(
                queryset=group_list_with_chairs(queryset=queryset),
                children=groups_visible_to(self.request.user),
            )
        return group_list_with_chairs(queryset=queryset)

    @extend_schema(responses=GroupDetailSerializer)
    def retrieve(self, request, pk=None):
        """A group with its sub-groups and current seats and representatives."""
        return self.render(self.get_visible_object(), GroupDetailSerializer)

    @extend_schema(request=GroupInputSerializer, responses={201: GroupDetailSerializer})
    def create(self, request):
        """Create a group under one you manage (secretariat: anywhere)."""
        data = self.validated(GroupInputSerializer)
        group_check_may_create_under(request.user, data.get("parent"))
        group = group_create(by=request.user, **data)
        return self._rendered(group.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=GroupUpdateInputSerializer, responses=GroupDetailSerializer)
    def partial_update(self, request, pk=None):
        """Change a group you manage; moving it needs the new parent to be yours too."""
        group = self.get_object(manage=True)
        data = self.validated(GroupUpdateInputSerializer)
        if "parent" in data:
            group_check_may_create_under(request.user, data["parent"])
        group_update(group=group, by=request.user, **data)
        return self._rendered(group.pk)

    def _rendered(self, pk, *, code=status.HTTP_200_OK):
        visible = groups_visible_to(self.request.user)
        group = group_detail(
            queryset=group_list_with_chairs(queryset=visible), children=visible
        ).get(pk=pk)
        return self.render(group, GroupDetailSerializer, code=code)


class MembershipFilter(FilterSet):
    group = IdFilter(field_name="group_id")
    organisation = IdFilter(field_name="organisation_id")
    role = filters.MultipleChoiceFilter(choices=Membership.Role.choices)
    is_current = filters.BooleanFilter(field_name="end_on", lookup_expr="isnull")
    ordering = filters.OrderingFilter(fields=["start_on", "id", "role"])

    class Meta:
        model = Membership
        fields = ["group", "organisation", "role", "is_current"]


class MembershipViewSet(FunnelViewSet):
    """Organisations' seats in the groups you can see, with their representatives."""

    visible = staticmethod(memberships_visible_to)
    get_for_user = staticmethod(membership_get_for_user)
    output_serializer_class = MembershipSerializer
    filterset_class = MembershipFilter

    def select(self, queryset):
        return membership_list(queryset=queryset).order_by("group_id", "role", "id")

    @extend_schema(request=MembershipInputSerializer, responses={201: MembershipSerializer})
    def create(self, request):
        """Seat an organisation in a group you manage."""
        data = self.validated(MembershipInputSerializer)
        group_get_for_user(request.user, data["group"].pk, manage=True)
        membership = membership_create(by=request.user, **data)
        return self._rendered(membership.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=MembershipUpdateInputSerializer, responses=MembershipSerializer)
    def partial_update(self, request, pk=None):
        """Change a seat's role or seat holder."""
        membership = self.get_object(manage=True)
        data = self.validated(MembershipUpdateInputSerializer)
        membership_update_service(
            membership=membership,
            role=data.get("role", membership.role),
            seat_holder=data.get("seat_holder", membership.seat_holder),
            by=request.user,
        )
        return self._rendered(membership.pk)

    @extend_schema(request=MembershipEndInputSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a seat (today unless `end_on` is given); its representatives end with it."""
        membership = self.get_object(manage=True)
        data = self.validated(MembershipEndInputSerializer)
        membership_end(membership=membership, end_on=data.get("end_on"), by=request.user)
        return self._rendered(membership.pk)

    def _rendered(self, pk, *, code=status.HTTP_200_OK):
        membership = membership_list(queryset=Membership.objects.filter(pk=pk)).get()
        return self.render(membership, code=code)


# --- The directory: organisations and people ----------------------------------------


class OrganisationFilter(FilterSet):
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


class PersonFilter(FilterSet):
    organisation = IdFilter(field_name="organisation_id")
    name = filters.CharFilter(field_name="full_name", lookup_expr="icontains", max_length=200)
    ordering = filters.OrderingFilter(fields=[("full_name", "name"), "id"])

    class Meta:
        model = Person
        fields = ["organisation", "name"]


class PersonViewSet(FunnelViewSet):
    """People of the organisations you can see, and yourself (`/people/me/`)."""

    # Each row says whether its contact details are shown, from the query that reads it.
    visible = staticmethod(functools.partial(people_visible_to, with_contact_details=True))
    get_for_user = staticmethod(person_get_for_user)
    output_serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def select(self, queryset):
        return person_list(queryset=queryset)

    def context_for(self, instances):
        context = super().context_for(instances)
        context[CONTACT_DETAILS_VISIBLE] = contact_details_visible_to(self.request.user, instances)
        return context

    def context_columns(self, queryset):
        return contact_details_columns(self.request.user, queryset)

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

    @extend_schema(request=MeUpdateInputSerializer, responses=MeSerializer)
    @me.mapping.patch
    def me_update(self, request):
        """Choose who sees your e-mail and phone: `members` or `secretariat`."""
        data = self.validated(MeUpdateInputSerializer)
        person = person_contact_visibility_set(
            person=self._me(), visibility=data["contact_visibility"], by=request.user
        )
        return self.render(person, MeSerializer)

    @extend_schema(request=None, responses=MeSerializer)
    @action(detail=False, methods=["post"], url_path="me/reset-calendar")
    def reset_calendar(self, request):
        """A new secret calendar address; subscriptions to the old one stop working."""
        person = person_calendar_token_reset(person=self._me(), by=request.user)
        return self.render(person, MeSerializer)
