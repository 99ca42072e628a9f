"""factory_boy factories. They build rows directly; tests of behaviour call services."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from groups.models import CoordinationGroup, Membership, Representative
from meetings.models import ActionPoint, AgendaItem, Invitation, Meeting, Minutes
from members.models import Organisation, Person

PASSWORD = "tansiq-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # factory_boy hook signature
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.MINISTRY
    country = "LY"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Person {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    position = "Officer"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinationGroup

    name = factory.Sequence(lambda n: f"Working group {n}")
    kind = CoordinationGroup.Kind.WORKING_GROUP
    parent = factory.SubFactory(
        "tests.factories.GroupFactory", kind=CoordinationGroup.Kind.FRAMEWORK, parent=None
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER
    start_on = dt.date(2017, 11, 21)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    membership = factory.SubFactory(MembershipFactory)
    person = factory.SubFactory(
        PersonFactory, organisation=factory.SelfAttribute("..membership.organisation")
    )
    kind = Representative.Kind.PRINCIPAL
    start_on = dt.date(2017, 11, 21)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Meeting {n}")
    start_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    end_at = factory.LazyAttribute(lambda m: m.start_at + dt.timedelta(hours=2))
    time_zone = "Africa/Tripoli"
    venue = "Ministry of Planning, Tripoli"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Item {n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory, status=Meeting.Status.HELD)
    body = "The group met and agreed on the next steps."


class ActionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPoint

    meeting = factory.SubFactory(MeetingFactory, status=Meeting.Status.HELD)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner_organisation = factory.SubFactory(OrganisationFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
