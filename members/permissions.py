"""Who a user is, and which organisations they act for.

The secretariat (an auth group) and superusers see and change everything. Other
users act through their Person: guardian grants `act_for_organisation` on the
organisations they represent as members (never as observers); groups/services.py
keeps those grants in step with memberships. Which organisations and people a user
may see depends on the groups they sit in, so those funnels live in
groups/permissions.py.
"""

from typing import TypeGuard, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user
from knox.models import AuthToken

from members.models import Organisation, Person
from portal.audit import Actor

SECRETARIAT_GROUP = "Secretariat"
ACT_FOR_ORGANISATION = "members.act_for_organisation"
# A request asks several funnels in turn: the secretariat answer is kept on the user
# object for the rest of that request.
SECRETARIAT_CACHE_ATTRIBUTE = "_tansiq_is_secretariat"
# The same for the grant subqueries each funnel starts from: building one costs guardian
# a good deal of Python and a search asks for the same few dozens of times. They are
# lazy querysets, so what they select is read from the database each time they are used.
GRANTS_CACHE_ATTRIBUTE = "_tansiq_grant_querysets"

ModelT = TypeVar("ModelT", bound=Model)


def objects_granted(user: User, permission: str, klass: type[ModelT]) -> QuerySet[ModelT]:
    """The objects of `klass` on which `user` holds `permission` by a direct grant (to
    them or to one of their auth groups), as a lazy queryset built once per user object
    (that is, once per request)."""
    cache = user.__dict__.setdefault(GRANTS_CACHE_ATTRIBUTE, {})
    key = (permission, klass)
    if key not in cache:
        cache[key] = get_objects_for_user(
            user, permission, klass=klass, with_superuser=False, accept_global_perms=False
        )
    # A copy, so no caller's evaluation fills a result cache another would read.
    return cache[key].all()


def user_is_signed_in(user: Actor) -> TypeGuard[User]:
    """An active account, signed in: the first test of every funnel."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_is_secretariat(user: Actor) -> bool:
    if not user_is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, SECRETARIAT_CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = user.groups.filter(name=SECRETARIAT_GROUP).exists()
        setattr(user, SECRETARIAT_CACHE_ATTRIBUTE, cached)
    return cached


def user_person(user: Actor) -> Person | None:
    if user is None or isinstance(user, AnonymousUser):
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def user_can_set_contact_visibility(user: Actor, person: Person) -> bool:
    """The person chooses who sees their contact details; the secretariat may change the
    choice for anyone (on request, or for someone without a login)."""
    if user_is_secretariat(user):
        return True
    return user_is_signed_in(user) and person.user_id is not None and person.user_id == user.pk


def organisations_acted_for_by(user: Actor) -> QuerySet[Organisation]:
    """Organisations whose invitations and action points the user may answer for."""
    if not user_is_signed_in(user):
        return Organisation.objects.none()
    return objects_granted(user, ACT_FOR_ORGANISATION, Organisation)


def user_can_act_for_organisation(user: Actor, organisation_id: int | None) -> bool:
    if organisation_id is None:
        return False
    return organisations_acted_for_by(user).filter(pk=organisation_id).exists()


def api_tokens_visible_to(user: Actor) -> QuerySet[AuthToken]:
    """A user's own API tokens; nobody sees anyone else's."""
    if not user_is_signed_in(user):
        return AuthToken.objects.none()
    return AuthToken.objects.filter(user=user)


def api_token_get_for_user(user: Actor, token_key: str) -> AuthToken:
    try:
        return api_tokens_visible_to(user).get(token_key=token_key)
    except (AuthToken.DoesNotExist, AuthToken.MultipleObjectsReturned):
        raise Http404(_("No such token.")) from None
