"""Who may see and act for organisations and people.

The secretariat (an auth group) and superusers see and change everything. Other
users act through their Person: guardian grants `act_for_organisation` on the
organisations they represent as members (never as observers); groups/services.py
keeps those grants in step with memberships.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from members.models import Organisation, Person

SECRETARIAT_GROUP = "Secretariat"


def user_is_secretariat(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_tansiq_is_secretariat", None)
    if cached is None:
        cached = user.groups.filter(name=SECRETARIAT_GROUP).exists()
        user._tansiq_is_secretariat = cached
    return cached


def user_person(user) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def organisations_acted_for_by(user) -> QuerySet[Organisation]:
    """Organisations whose invitations and action points the user may answer for."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return get_objects_for_user(
        user,
        "members.act_for_organisation",
        klass=Organisation,
        with_superuser=False,
        accept_global_perms=False,
    )


def user_can_act_for_organisation(user, organisation_id: int | None) -> bool:
    if organisation_id is None:
        return False
    return organisations_acted_for_by(user).filter(pk=organisation_id).exists()


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Organisations sitting in a group the user can see, and the user's own."""
    # Imported here because groups builds on members: who sits where is a groups fact.
    from groups.models import Membership
    from groups.permissions import groups_visible_to

    if user_is_secretariat(user):
        return Organisation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()

    in_visible_group = Membership.objects.filter(
        organisation=OuterRef("pk"), group__in=groups_visible_to(user)
    )
    return Organisation.objects.filter(Exists(in_visible_group) | Q(people__user=user)).distinct()


def people_visible_to(user) -> QuerySet[Person]:
    """People of the organisations the user can see, and the user themself."""
    if user_is_secretariat(user):
        return Person.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Person.objects.none()
    return Person.objects.filter(
        Q(organisation__in=organisations_visible_to(user)) | Q(user=user)
    ).distinct()


def organisation_get_for_user(user, organisation_id) -> Organisation:
    try:
        return organisations_visible_to(user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such organisation.")) from None


def person_get_for_user(user, person_id) -> Person:
    try:
        return people_visible_to(user).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such person.")) from None


def api_tokens_visible_to(user):
    """A user's own API tokens; nobody sees anyone else's."""
    from knox.models import AuthToken

    if not user.is_authenticated or not user.is_active:
        return AuthToken.objects.none()
    return AuthToken.objects.filter(user=user)


def api_token_get_for_user(user, token_key: str):
    from knox.models import AuthToken

    try:
        return api_tokens_visible_to(user).get(token_key=token_key)
    except (AuthToken.DoesNotExist, AuthToken.MultipleObjectsReturned):
        raise Http404(_("No such token.")) from None
