"""The access funnel for groups.

Guardian holds the grants: `view_coordinationgroup` for every current
representative and seat holder, `manage_group` for the chair and co-chair seat
holders on their group and all its sub-groups. groups/services.py computes them.
Missing and invisible both answer 404; visible but not allowed answers 403.

The directory funnels live here too: which organisations and people a user may see
follows from the groups they can see.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from groups.models import Confidentiality, CoordinationGroup, Labelled, Membership, Representative
from members.models import Organisation, Person
from members.permissions import (
    granted_ids,
    grants_read_together,
    objects_granted,
    organisation_ids_acted_for_by,
    remembered_per_reader,
    user_can_set_contact_visibility,
    user_is_secretariat,
    user_is_signed_in,
)
from portal.audit import Actor
from portal.probes import Probe

VIEW_GROUP = "groups.view_coordinationgroup"
MANAGE_GROUP = "groups.manage_group"


def _granted(user: User, permission: str) -> QuerySet[CoordinationGroup]:
    return objects_granted(user, permission, CoordinationGroup)


grants_read_together((VIEW_GROUP, CoordinationGroup), (MANAGE_GROUP, CoordinationGroup))


def group_ids_visible_to(user: Actor) -> frozenset[int]:
    """The ids of groups_visible_to for anyone but the secretariat (who sees every
    group: ask user_is_secretariat first), read once per request."""
    return granted_ids(user, VIEW_GROUP, CoordinationGroup)


def group_ids_managed_by(user: Actor) -> frozenset[int]:
    """The ids of groups_managed_by for anyone but the secretariat, read once per
    request."""
    return granted_ids(user, MANAGE_GROUP, CoordinationGroup)


def groups_visible_to(user: Actor) -> QuerySet[CoordinationGroup]:
    if user_is_secretariat(user):
        return CoordinationGroup.objects.all()
    if not user_is_signed_in(user):
        return CoordinationGroup.objects.none()
    return _granted(user, VIEW_GROUP)


def groups_managed_by(user: Actor) -> QuerySet[CoordinationGroup]:
    if user_is_secretariat(user):
        return CoordinationGroup.objects.all()
    if not user_is_signed_in(user):
        return CoordinationGroup.objects.none()
    return _granted(user, MANAGE_GROUP)


def user_can_view_group(user: Actor, group: CoordinationGroup) -> bool:
    return user_is_secretariat(user) or group.pk in group_ids_visible_to(user)


def user_can_manage_group(user: Actor, group: CoordinationGroup) -> bool:
    return user_is_secretariat(user) or group.pk in group_ids_managed_by(user)


def group_get_for_user(
    user: Actor, group_id: int | str, *, manage: bool = False
) -> CoordinationGroup:
    try:
        group = CoordinationGroup.objects.select_related("parent").get(pk=group_id)
    except (CoordinationGroup.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such group.")) from None
    if not user_can_view_group(user, group):
        raise Http404(_("No such group."))
    if manage and not user_can_manage_group(user, group):
        raise PermissionDenied(
            _("Only the secretariat and the group's chairs may change this group.")
        )
    return group


def group_check_may_create_under(user: Actor, parent: CoordinationGroup | None) -> None:
    """New groups go under a group the user manages; top-level ones are the secretariat's.
    A move to a new parent is checked the same way."""
    if parent is None and not user_is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may create top-level groups."))
    if parent is not None and not user_can_manage_group(user, parent):
        raise PermissionDenied(_("Only the secretariat and the parent group's chairs may do this."))


def memberships_visible_to(user: Actor) -> QuerySet[Membership]:
    """Seats (current and past) in the groups the user can see."""
    return Membership.objects.filter(group__in=groups_visible_to(user))


def membership_get_for_user(
    user: Actor, membership_id: int | str, *, manage: bool = False
) -> Membership:
    try:
        membership = (
            memberships_visible_to(user)
            .select_related("group", "organisation", "seat_holder")
            .get(pk=membership_id)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such membership.")) from None
    if manage and not user_can_manage_group(user, membership.group):
        raise PermissionDenied(_("Only the secretariat and the group's chairs may change seats."))
    return membership


def representatives_visible_to(user: Actor) -> QuerySet[Representative]:
    """Who represents whom (current and past) in the groups the user can see."""
    return Representative.objects.filter(membership__group__in=groups_visible_to(user))


def representative_get_for_user(
    user: Actor, representative_id: int | str, *, manage: bool = False
) -> Representative:
    try:
        representative = (
            representatives_visible_to(user)
            .select_related("membership__group", "membership__organisation", "person")
            .get(pk=representative_id)
        )
    except (Representative.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such representative.")) from None
    if manage and not user_can_manage_group(user, representative.membership.group):
        raise PermissionDenied(
            _("Only the secretariat and the group's chairs may change representatives.")
        )
    return representative


@remembered_per_reader
def organisations_visible_to(user: Actor) -> QuerySet[Organisation]:
    """Organisations sitting in a group the user can see, and the user's own."""
    if user_is_secretariat(user):
        return Organisation.objects.all()
    if not user_is_signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(_organisation_visible_q(user, "pk"))


def _organisation_visible_q(user: User, column: str) -> Q:
    """organisations_visible_to's condition on a column holding an organisation's id (its
    own key, or a person's `organisation`): subqueries computed once (seats by group, the
    user's Person by user), not per row, and no join that could repeat a row."""
    own = Q(**{f"{column}__in": Person.objects.filter(user=user).values("organisation_id")})
    group_ids = group_ids_visible_to(user)
    if not group_ids:
        return own
    seated = Membership.objects.filter(group_id__in=sorted(group_ids)).values("organisation_id")
    return Q(**{f"{column}__in": seated}) | own


def _contact_details_flag(user: Actor) -> str:
    """The name of the column people_visible_to(user, with_contact_details=True) adds:
    it names the user, so that rows read for one user answer for no other."""
    return f"contact_details_shown_to_{getattr(user, 'pk', None)}"


@remembered_per_reader
def people_visible_to(user: Actor, *, with_contact_details: bool = False) -> QuerySet[Person]:
    """People of the organisations the user can see, and the user themself.

    `with_contact_details`: each row also says whether the user may see its e-mail and
    phone, worked out by the database in the query that reads the row (the rule of
    people_with_contact_details_visible_to), so that a list needs no second funnel query
    to ask it (contact_details_visible_to reads it)."""
    if user_is_secretariat(user):
        return Person.objects.all()
    if not user_is_signed_in(user):
        return Person.objects.none()
    # The organisations' condition asked of the person's own column, not through a
    # subquery of the organisations that asks it again: one level less to compile.
    people = Person.objects.filter(_organisation_visible_q(user, "organisation") | Q(user=user))
    if with_contact_details:
        shown = ExpressionWrapper(_shares_contact_details(user), output_field=BooleanField())
        people = people.annotate(**{_contact_details_flag(user): shown})
    return people


def _shares_contact_details(user: Actor) -> Q:
    """Among the people a member sees: those who share their contact details with the
    members, and the member themself."""
    return Q(contact_visibility=Person.ContactVisibility.MEMBERS) | Q(user=user)


def organisation_get_for_user(user: Actor, organisation_id: int | str) -> Organisation:
    try:
        return organisations_visible_to(user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such organisation.")) from None


def person_get_for_user(
    user: Actor, person_id: int | str, *, set_contact_visibility: bool = False
) -> Person:
    try:
        person = people_visible_to(user).select_related("organisation").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such person.")) from None
    if set_contact_visibility and not user_can_set_contact_visibility(user, person):
        raise PermissionDenied(
            _("Only the person and the secretariat may choose who sees their contact details.")
        )
    return person


def people_with_contact_details_visible_to(user: Actor) -> QuerySet[Person]:
    """People whose e-mail and phone the user may see: the secretariat sees everyone's;
    others see their own, and those of the people they see in the directory who share
    them with the members (ContactVisibility.MEMBERS)."""
    if user_is_secretariat(user):
        return Person.objects.all()
    if not user_is_signed_in(user):
        return Person.objects.none()
    return people_visible_to(user).filter(_shares_contact_details(user))


def contact_details_columns(user: Actor, people: QuerySet[Person]) -> list[str]:
    """The column of `people` (read through people_visible_to(user,
    with_contact_details=True)) that holds the database's answer for `user`, for a list
    read as `.values()` rows to read too; none for a queryset without it."""
    flag = _contact_details_flag(user)
    return [flag] if flag in people.query.annotations else []


def contact_details_visible_to(
    user: Actor, people: Iterable[Person | Mapping[str, Any]]
) -> set[int]:
    """The ids among `people` (instances, or `.values()` rows with their "pk") whose
    e-mail and phone the user may see, worked out once for a whole list and asked of the
    database, not of the rows' own fields: rows read through people_visible_to(user,
    with_contact_details=True) carry the database's answer from the query that read
    them (no query; a `.values()` row with contact_details_columns); for any other rows,
    one query (none for the secretariat or an empty list), so that a list built some
    other way, or read before a change, shows no more than the rule."""
    rows = [
        (person["pk"], person) if isinstance(person, Mapping) else (person.pk, vars(person))
        for person in people
    ]
    ids = {pk for pk, _fields in rows}
    if user_is_secretariat(user):
        return ids
    if not ids or not user_is_signed_in(user):
        return set()
    flag = _contact_details_flag(user)
    if all(flag in fields for _pk, fields in rows):
        return {pk for pk, fields in rows if fields[flag]}
    visible = people_with_contact_details_visible_to(user).filter(pk__in=ids)
    return set(visible.values_list("pk", flat=True))


def organisations_offered_to(user: Actor) -> QuerySet[Organisation]:
    """The organisations a form may offer the user to pick: those they may see that are
    still active."""
    return organisations_visible_to(user).filter(is_active=True).order_by("name")


def people_offered_to(user: Actor) -> QuerySet[Person]:
    """The people a form may offer the user to pick: those they may see who are still
    active."""
    return (
        people_visible_to(user)
        .filter(is_active=True)
        .select_related("organisation")
        .order_by("full_name")
    )


def label_q(user: Actor, model: type[Labelled], *, group_field: str, to_row: str = "") -> Q:
    """The rows of `model` whose own label lets `user` see them, once the user sees
    what they belong to (their meeting, their group's library): public and members
    rows pass; restricted ones only for the secretariat, the chairs who manage the
    row's group (`group_field` is the path from the row to it: "group",
    "meeting__group") and people acting for one of the organisations the row names.
    Every funnel of a labelled record ANDs this with its own rule. Asked of rows that
    the query reaches through `to_row` (e.g. "document__" from a paper's versions)."""
    if user_is_secretariat(user):
        return Q()
    if not user_is_signed_in(user):
        return Q(pk__in=[])
    passes = ~Q(**{f"{to_row}confidentiality": Confidentiality.RESTRICTED})
    # The organisations and groups are a few ids read once per request; whether a
    # restricted row names one is a probe of the label table's unique index (row,
    # organisation), made only for restricted rows.
    organisation_ids = organisation_ids_acted_for_by(user)
    if organisation_ids:
        named = Probe(
            model.restricted_to.through,
            key=model.restricted_to.field.m2m_field_name(),
            outer=f"{to_row}pk",
            organisation=organisation_ids,
        )
        passes |= Q(named)
    managed = group_ids_managed_by(user)
    if managed:
        passes |= Q(**{f"{to_row}{group_field}__in": sorted(managed)})
    return passes


def user_passes_label(user: Actor, record: Labelled, *, group: CoordinationGroup) -> bool:
    """label_q for one row at hand: no query unless it is restricted."""
    if record.confidentiality != Confidentiality.RESTRICTED or user_is_secretariat(user):
        return True
    if not user_is_signed_in(user):
        return False
    if user_can_manage_group(user, group):
        return True
    organisation_ids = organisation_ids_acted_for_by(user)
    return bool(organisation_ids) and record.restricted_to.filter(pk__in=organisation_ids).exists()
