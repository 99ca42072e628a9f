"""Who a user is, and which organisations they act for.

The secretariat (an auth group) and superusers see and change everything. Other
users act through their Person: guardian grants `act_for_organisation` on the
organisations they represent as members (never as observers); groups/services.py
keeps those grants in step with memberships. Which organisations and people a user
may see depends on the groups they sit in, so those funnels live in
groups/permissions.py.
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

from django.contrib.auth.models import AnonymousUser, Permission, User
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Field, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from knox.models import AuthToken

from members.models import Organisation, Person
from portal.audit import Actor
from portal.compiled import ConditionCompiledOnce
from portal.prepared import execute_prepared

SECRETARIAT_GROUP = "Secretariat"
ACT_FOR_ORGANISATION = "members.act_for_organisation"
# A request asks several funnels in turn: the user's auth groups (whether they are the
# secretariat, whether the grants query must look at grants to groups) are kept on the
# user object for the rest of that request.
AUTH_GROUPS_CACHE_ATTRIBUTE = "_tansiq_auth_groups"
# The direct grants the funnels start from are read once per user object (that is,
# once per request), every permission a funnel asks about in the same query: the
# funnels then filter on short lists of ids (group_id IN (...)), which every database
# plans as an index lookup, instead of nesting guardian's subqueries into each other.
GRANTS_CACHE_ATTRIBUTE = "_tansiq_grants"
# The (permission, model) pairs read together: the apps whose funnels start from a
# grant name theirs (grants_read_together).
_READ_TOGETHER: list[tuple[str, type[Model]]] = []
# Bumped whenever a grant (or a user's auth groups) changes in this process, so a user
# object that outlives the change (a service granting then asking, a test) reads the
# grants again. A cache's bookkeeping (members.apps wires it), not domain behaviour.
_generation = [0]

ModelT = TypeVar("ModelT", bound=Model)


def grants_read_together(*pairs: tuple[str, type[Model]]) -> None:
    """Name grants ("app.codename", model) the funnels of a request read, so the first
    of them asked reads them all in the same query."""
    for pair in pairs:
        if pair not in _READ_TOGETHER:
            _READ_TOGETHER.append(pair)


def grants_changed(**_kwargs: object) -> None:
    """Forget every user object's grants: a grant, or a user's auth groups, changed."""
    _generation[0] += 1


@dataclass(frozen=True)
class _Grants:
    generation: int
    ids: dict[tuple[str, type[Model]], frozenset[int]]
    person_id: int | None


def _direct_table(klass: type[Model], base: type[Model]) -> type[Model]:
    """Guardian's direct permission table of `klass` (a user's or a group's), found by
    its foreign key without asking the database (guardian's own lookup compares content
    types, a query per model in a fresh process)."""
    for relation in klass._meta.related_objects:
        model = relation.related_model
        if (
            isinstance(model, type)
            and issubclass(model, base)
            and relation.field.name == "content_object"
        ):
            return model
    raise LookupError(f"{klass.__name__} has no direct {base.__name__} table")


def _column(model: type[Model], field: str) -> str:
    concrete = model._meta.get_field(field)
    if not isinstance(concrete, Field):  # a reverse relation has no column
        raise TypeError(f"{model.__name__}.{field} is not a column")
    return connection.ops.quote_name(concrete.column)


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _grants_sql(pairs: tuple[tuple[str, type[Model]], ...], *, through_groups: bool) -> str:
    """One UNION ALL over guardian's direct tables, each branch an index lookup by the
    user (or, `through_groups`, their auth groups) and the permission; the user's Person
    rides along. A user in no auth group (most members) gets no branch for grants to
    groups: half the branches, half the planning.
    Written once per process as SQL, from the models' own table and column names (no
    input reaches it): composing eleven querysets through the ORM cost a request more
    than the funnels' queries. Each branch finds its permission's id by a scalar
    subquery that probes the unique indexes of the content types (app label, model) and
    permissions (content type, codename). Joining the two tables in every branch's FROM
    made PostgreSQL spend about 1 ms planning; a common table of the permissions made
    SQLite build it and an automatic index over it at every run (0.15 ms of the query's
    0.17 ms, against 0.02 ms probed), and ran slower on PostgreSQL too (prepared: 0.28
    ms a run, against 0.17-0.21 ms probed)."""
    quote = connection.ops.quote_name
    memberships = User.groups.through
    permission_id = (
        f"(SELECT p.{quote(Permission._meta.pk.column)} FROM {_table(Permission)} p "  # noqa: S608
        f"INNER JOIN {_table(ContentType)} c "
        f"ON c.{quote(ContentType._meta.pk.column)} = p.{_column(Permission, 'content_type')} "
        f"WHERE c.{_column(ContentType, 'app_label')} = %(app{{index}})s "
        f"AND c.{_column(ContentType, 'model')} = %(model{{index}})s "
        f"AND p.{_column(Permission, 'codename')} = %(codename{{index}})s)"
    )
    branches = [
        f"SELECT -1, {quote(Person._meta.pk.column)} FROM {_table(Person)} "  # noqa: S608
        f"WHERE {_column(Person, 'user')} = %(user)s"
    ]
    for index, (_permission, klass) in enumerate(pairs):
        direct = _direct_table(klass, UserObjectPermissionBase)
        by_group = _direct_table(klass, GroupObjectPermissionBase)
        holders = [(direct, f"g.{_column(direct, 'user')}")]
        if through_groups:
            holders.append((by_group, f"m.{_column(memberships, 'user')}"))
        for model, holder in holders:
            join_memberships = (
                f"INNER JOIN {_table(memberships)} m "
                f"ON m.{_column(memberships, 'group')} = g.{_column(by_group, 'group')} "
                if model is by_group
                else ""
            )
            branches.append(
                f"SELECT {index}, g.{_column(model, 'content_object')} "  # noqa: S608
                f"FROM {_table(model)} g {join_memberships}"
                f"WHERE {holder} = %(user)s AND g.{_column(model, 'permission')} = "
                f"{permission_id.format(index=index)}"
            )
    return " UNION ALL ".join(branches)


_SQL: dict[tuple[tuple[tuple[str, type[Model]], ...], bool], str] = {}


def _grants_read(user: User, extra: tuple[str, type[Model]] | None) -> _Grants:
    pairs = tuple(_READ_TOGETHER)
    if extra is not None and extra not in pairs:
        pairs = (*pairs, extra)
    key = (pairs, bool(_auth_group_names(user)))
    if key not in _SQL:
        _SQL[key] = _grants_sql(pairs, through_groups=key[1])
    params: dict[str, int | str | None] = {"user": user.pk}
    for index, (permission, klass) in enumerate(pairs):
        params[f"codename{index}"] = permission.split(".", 1)[1]
        params[f"app{index}"] = klass._meta.app_label
        params[f"model{index}"] = klass._meta.model_name
    found: list[set[int]] = [set() for _pair in pairs]
    person_id = None
    with connection.cursor() as cursor:
        execute_prepared(cursor, _SQL[key], params, _grants_types(params))
        for index, object_id in cursor.fetchall():
            if index == -1:
                person_id = object_id
            else:
                found[index].add(object_id)
    return _Grants(
        generation=_generation[0],
        ids={pair: frozenset(ids) for pair, ids in zip(pairs, found, strict=True)},
        person_id=person_id,
    )


def _grants_types(params: dict[str, int | str | None]) -> dict[str, str]:
    """The SQL type of each value of the grants query, for PostgreSQL's PREPARE: the user's
    id a whole number, the permissions' names text."""
    return {name: "integer" if name == "user" else "text" for name in params}


def _grants(user: User, pair: tuple[str, type[Model]] | None = None) -> _Grants:
    grants: _Grants | None = user.__dict__.get(GRANTS_CACHE_ATTRIBUTE)
    if (
        grants is None
        or grants.generation != _generation[0]
        or (pair is not None and pair not in grants.ids)
    ):
        grants = _grants_read(user, pair)
        user.__dict__[GRANTS_CACHE_ATTRIBUTE] = grants
    return grants


def granted_ids(user: Actor, permission: str, klass: type[Model]) -> frozenset[int]:
    """The ids of the `klass` objects on which `user` holds `permission` by a direct
    grant (to them or to one of their auth groups), read once per user object."""
    if not user_is_signed_in(user):
        return frozenset()
    return _grants(user, (permission, klass)).ids[(permission, klass)]


def user_person_id(user: Actor) -> int | None:
    """The id of the user's Person (None without one), read with their grants."""
    if not user_is_signed_in(user):
        return None
    return _grants(user).person_id


def objects_granted(user: User, permission: str, klass: type[ModelT]) -> QuerySet[ModelT]:
    """The objects of `klass` on which `user` holds `permission` by a direct grant, as a
    queryset over the ids read once per user object (granted_ids)."""
    return klass._default_manager.filter(pk__in=sorted(granted_ids(user, permission, klass)))


# How many readers' funnels each remembering funnel keeps (the least recently asked
# go first): a member's funnel is a query tree of about 10 KB, so under a megabyte per
# funnel.
FUNNELS_REMEMBERED = 64


def _reader(user: User) -> tuple:
    """Everything a funnel built for `user` may depend on: who they are, their auth
    groups, their person and every direct grant read together. (A superuser is the
    secretariat, whose funnels are not kept.)"""
    grants = _grants(user)
    return (
        user.pk,
        _auth_group_names(user),
        grants.person_id,
        tuple(grants.ids.items()),
    )


def remembered_per_reader(
    funnel: Callable[..., QuerySet[ModelT]],
) -> Callable[..., QuerySet[ModelT]]:
    """A funnel whose queryset is built once for a reader and their grants, then handed
    out as a copy (`.all()`): building a member's funnel (Django resolving every lookup
    of its conditions) cost a request more than the database took to run it, and the
    same agency asks the same lists again and again.

    Only for a funnel that is a function of the reader and their grants alone: nothing
    read from the database while building (a read inside a subquery runs with the
    query, that is fine), no clock. A funnel whose building read a grant that the first
    read left out is not kept. A change of grants changes the key; the secretariat's
    and the signed-out funnels are built each time (they are no condition at all).
    Kept per thread: the copies share the kept query's subqueries, which Django touches
    while it compiles them, so no two threads compile one at once."""
    kept = threading.local()

    def remembered() -> OrderedDict[tuple, QuerySet[ModelT]]:
        funnels = getattr(kept, "funnels", None)
        if funnels is None:
            funnels = kept.funnels = OrderedDict()
        return funnels

    @functools.wraps(funnel)
    def remembering(user: Actor, **options: Any) -> QuerySet[ModelT]:
        if not user_is_signed_in(user) or user_is_secretariat(user):
            return funnel(user, **options)
        funnels = remembered()
        key = (_reader(user), tuple(sorted(options.items())))
        built = funnels.get(key)
        if built is not None:
            funnels.move_to_end(key)
        else:
            built = funnel(user, **options)
            if _reader(user) == key[0]:
                funnels[key] = built = ConditionCompiledOnce.kept_in(built)
                while len(funnels) > FUNNELS_REMEMBERED:
                    funnels.popitem(last=False)
        return built.all()

    remembering.forget = lambda: remembered().clear()  # type: ignore[attr-defined]
    return remembering


def user_is_signed_in(user: Actor) -> TypeGuard[User]:
    """An active account, signed in: the first test of every funnel."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_is_secretariat(user: Actor) -> bool:
    if not user_is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return SECRETARIAT_GROUP in _auth_group_names(user)


def _auth_group_names(user: User) -> frozenset[str]:
    """The names of the user's auth groups, read once per user object (that is, once
    per request) and again after a change of anyone's groups or grants in this process
    (a service adding then asking, a test)."""
    cached: tuple[int, frozenset[str]] | None = user.__dict__.get(AUTH_GROUPS_CACHE_ATTRIBUTE)
    if cached is None or cached[0] != _generation[0]:
        with connection.cursor() as cursor:
            cursor.execute(_auth_group_names_sql(), [user.pk])
            cached = (_generation[0], frozenset(name for (name,) in cursor.fetchall()))
        user.__dict__[AUTH_GROUPS_CACHE_ATTRIBUTE] = cached
    return cached[1]


@functools.cache
def _auth_group_names_sql() -> str:
    """Written once as SQL, as _grants_sql is: every request asks it, and through the
    ORM (the user's `groups.values_list`) building the query cost ten times running it
    (0.18 ms against 0.014 on SQLite)."""
    memberships = User.groups.through
    return (
        f"SELECT g.{_column(AuthGroup, 'name')} FROM {_table(AuthGroup)} g "  # noqa: S608
        f"INNER JOIN {_table(memberships)} m "
        f"ON m.{_column(memberships, 'group')} = g.{_column(AuthGroup, 'id')} "
        f"WHERE m.{_column(memberships, 'user')} = %s"
    )


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


def organisation_ids_acted_for_by(user: Actor) -> frozenset[int]:
    """The ids of organisations_acted_for_by, read once per request."""
    return granted_ids(user, ACT_FOR_ORGANISATION, Organisation)


grants_read_together((ACT_FOR_ORGANISATION, Organisation))


def user_can_act_for_organisation(user: Actor, organisation_id: int | None) -> bool:
    if organisation_id is None:
        return False
    return organisation_id in organisation_ids_acted_for_by(user)


def api_tokens_visible_to(user: Actor) -> QuerySet[AuthToken]:
    """A user's own API tokens that still let them in; nobody sees anyone else's. An
    expired token waits for the hourly clearing (members.tasks) unseen."""
    if not user_is_signed_in(user):
        return AuthToken.objects.none()
    # Knox's rule: a token is refused once its expiry is past (expiry < now).
    return AuthToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gte=timezone.now())
    )


def api_token_get_for_user(user: Actor, token_key: str) -> AuthToken:
    try:
        return api_tokens_visible_to(user).get(token_key=token_key)
    except (AuthToken.DoesNotExist, AuthToken.MultipleObjectsReturned):
        raise Http404(_("No such token.")) from None
