"""Writes for groups, memberships and representatives, and the access they grant.

Who may see or manage a group follows from who sits in it, so every write that
changes a seat ends with `access_sync_for_users` for the people it touched. That
function is the only place group and organisation grants are made.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import (
    Confidentiality,
    ConfidentialityChange,
    CoordinationGroup,
    CoordinationGroupUserObjectPermission,
    Labelled,
    Membership,
    QuorumRule,
    Representative,
)
from groups.selectors import group_ancestor_ids, group_descendant_ids, terms_of_reference
from members.models import Organisation, Person
from members.permissions import grants_changed
from members.services import (
    organisation_grants_set,
    organisation_set_active,
    person_change_affiliation,
    person_check_active,
    person_set_active,
)
from portal.audit import Actor, audited_save, author_of

# The group's terms of reference, in the order the group's page shows them
# (groups.selectors.terms_of_reference reads them with what a sub-group inherits);
# group_update writes them like any other field, and the terms form and the admin's
# fieldset list these.
TERMS_FIELDS = (
    "reference_code",
    "mandate",
    "mandate_ar",
    "mandate_fr",
    "endorsed_by",
    "endorsed_on",
    "notice_period_days",
    "quorum_rule",
    "quorum_value",
    "usual_duration_minutes",
    "usual_venue",
    "rhythm",
    "default_confidentiality",
    "reminder_days",
)
GROUP_FIELDS = {
    "name",
    "name_ar",
    "name_fr",
    "short_name",
    "description",
    "established_on",
    "answer_reminder_days",
    *TERMS_FIELDS,
}
NOTICE_PERIOD_MAX_DAYS = 365
USUAL_DURATION_MAX_MINUTES = 1440
# Which kinds of group may sit under which parent kind (None: at the root).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    CoordinationGroup.Kind.FRAMEWORK: {None},
    CoordinationGroup.Kind.TASKFORCE: {None, CoordinationGroup.Kind.FRAMEWORK},
    CoordinationGroup.Kind.WORKING_GROUP: {CoordinationGroup.Kind.FRAMEWORK},
    CoordinationGroup.Kind.SUB_GROUP: {
        CoordinationGroup.Kind.WORKING_GROUP,
        CoordinationGroup.Kind.SUB_GROUP,
        CoordinationGroup.Kind.TASKFORCE,
    },
}
CHAIR_ROLES = {Membership.Role.CHAIR, Membership.Role.CO_CHAIR}


def group_placement_check(
    *, kind: str, parent: CoordinationGroup | None, group: CoordinationGroup | None = None
) -> None:
    """Refuse a parent of the wrong kind, and a parent that is the group or below it."""
    if group is not None and group.pk and parent is not None:
        if parent.pk in group_descendant_ids([group.pk]):
            raise ValidationError(
                {"parent": _("A group cannot sit under itself or its sub-groups.")}
            )
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        label = CoordinationGroup.Kind(kind).label.lower()
        if parent_kind is None:
            message = _("A %(kind)s cannot sit under the top level.") % {"kind": label}
        else:
            message = _("A %(kind)s cannot sit under a %(parent)s.") % {
                "kind": label,
                "parent": CoordinationGroup.Kind(parent_kind).label.lower(),
            }
        raise ValidationError({"parent": message})


def terms_of_reference_check(group: CoordinationGroup) -> None:
    """Refuse terms that do not hold together, naming the field: a quorum is a rule
    with its value (a number of organisations, or a percentage from 1 to 100), a notice
    period is 0 to 365 days, a usual length 1 minute to a day."""
    code = group.reference_code
    if code and CoordinationGroup.objects.filter(reference_code=code).exclude(pk=group.pk).exists():
        raise ValidationError(
            {"reference_code": _("Another group already uses this reference code.")}
        )
    rule, value = group.quorum_rule, group.quorum_value
    if rule and rule not in QuorumRule.values:
        raise ValidationError({"quorum_rule": _("Choose a number or a percentage.")})
    if rule and value is None:
        raise ValidationError(
            {
                "quorum_value": _(
                    "Give the quorum with its rule: a number of member organisations, "
                    "or a percentage of them."
                )
            }
        )
    if not rule and value is not None:
        raise ValidationError(
            {
                "quorum_rule": _(
                    "Say whether the quorum is a number of member organisations or a "
                    "percentage of them."
                )
            }
        )
    if rule == QuorumRule.SHARE and value is not None and not 1 <= value <= 100:
        raise ValidationError(
            {"quorum_value": _("A quorum given as a percentage is from 1 to 100.")}
        )
    if rule == QuorumRule.COUNT and value is not None and value < 1:
        raise ValidationError({"quorum_value": _("A quorum is at least one member organisation.")})
    days = group.notice_period_days
    if days is not None and not 0 <= days <= NOTICE_PERIOD_MAX_DAYS:
        raise ValidationError({"notice_period_days": _("A notice period is from 0 to 365 days.")})
    minutes = group.usual_duration_minutes
    if minutes is not None and not 1 <= minutes <= USUAL_DURATION_MAX_MINUTES:
        raise ValidationError(
            {"usual_duration_minutes": _("A usual length is from 1 to 1440 minutes (a whole day).")}
        )
    label = group.default_confidentiality
    if label and label not in Confidentiality.values:
        raise ValidationError({"default_confidentiality": _confidentiality_refusal(label)})


def _seat_holder_users_above(group_ids: Iterable[int]) -> set[int]:
    """Users holding a chair seat on any of these groups or their ancestors."""
    ids: set[int] = set()
    for group in CoordinationGroup.objects.filter(pk__in=list(group_ids)):
        ids.add(group.pk)
        ids.update(group_ancestor_ids(group))
    return set(
        Membership.objects.filter(
            group_id__in=ids, role__in=CHAIR_ROLES, end_on__isnull=True
        ).values_list("seat_holder__user_id", flat=True)
    ) - {None}


@transaction.atomic
def group_create(
    *,
    name: str,
    kind: str,
    parent: CoordinationGroup | None = None,
    by: Actor,
    **fields: Any,
) -> CoordinationGroup:
    if kind not in CoordinationGroup.Kind.values:
        raise ValidationError(
            {"kind": _("%(kind)s is not a kind of group.") % {"kind": repr(kind)}}
        )
    group_placement_check(kind=kind, parent=parent)
    unknown = set(fields) - GROUP_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    group = CoordinationGroup(name=name, kind=kind, parent=parent, **fields)
    terms_of_reference_check(group)
    group = audited_save(group, by=by)
    if parent is not None:
        # The chairs of every group above manage this new sub-group too.
        access_sync_for_users(_seat_holder_users_above([parent.pk]))
    return group


@transaction.atomic
def group_update(
    *,
    group: CoordinationGroup,
    by: Actor,
    parent: CoordinationGroup | None | EllipsisType = ...,
    **changes: Any,
) -> CoordinationGroup:
    unknown = set(changes) - GROUP_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    group = CoordinationGroup.objects.select_for_update().get(pk=group.pk)
    moved = False
    users_before: set[int] = set()
    if parent is not ... and parent != group.parent:
        moved = True
        users_before = _seat_holder_users_above([group.pk])
        group_placement_check(kind=group.kind, parent=parent, group=group)
        group.parent = parent
    for field, value in changes.items():
        setattr(group, field, value)
    terms_of_reference_check(group)
    audited_save(group, by=by)
    if moved:
        access_sync_for_users(users_before | _seat_holder_users_above([group.pk]))
    return group


@transaction.atomic
def group_set_status(*, group: CoordinationGroup, status: str, by: Actor) -> CoordinationGroup:
    if status not in CoordinationGroup.Status.values:
        raise ValidationError(
            {"status": _("%(status)s is not a group status.") % {"status": repr(status)}}
        )
    group.status = status
    return audited_save(group, by=by, update_fields=["status"])


def _users_of_membership(membership: Membership) -> set[int]:
    users = set(
        membership.representatives.filter(person__user__isnull=False).values_list(
            "person__user_id", flat=True
        )
    )
    seat_holder = membership.seat_holder
    if seat_holder is not None and seat_holder.user_id:
        users.add(seat_holder.user_id)
    return users


def membership_seat_holder_check(
    *, role: str, seat_holder: Person | None, organisation: Organisation
) -> None:
    if seat_holder is None:
        return
    if role not in CHAIR_ROLES:
        raise ValidationError(
            {"seat_holder": _("Only the chair and co-chair seats have a holder.")}
        )
    if seat_holder.organisation_id != organisation.pk:
        raise ValidationError(
            {
                "seat_holder": _("%(person)s does not work for %(organisation)s.")
                % {"person": seat_holder, "organisation": organisation}
            }
        )


@transaction.atomic
def membership_create(
    *,
    group: CoordinationGroup,
    organisation: Organisation,
    role: str = Membership.Role.MEMBER,
    seat_holder: Person | None = None,
    start_on: dt.date | None = None,
    by: Actor,
) -> Membership:
    if group.is_archived:
        raise ValidationError({"group": _("The group is archived.")})
    if not organisation.is_active:
        raise ValidationError(
            {
                "organisation": _("%(organisation)s is no longer active.")
                % {"organisation": organisation}
            }
        )
    membership_seat_holder_check(role=role, seat_holder=seat_holder, organisation=organisation)
    membership = Membership(
        group=group,
        organisation=organisation,
        role=role,
        seat_holder=seat_holder,
        start_on=start_on or timezone.localdate(),
    )
    audited_save(membership, by=by)
    access_sync_for_users(_users_of_membership(membership))
    return membership


@transaction.atomic
def membership_update(
    *, membership: Membership, role: str, seat_holder: Person | None, by: Actor
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_current:
        raise ValidationError(_("An ended membership cannot be changed."))
    membership_seat_holder_check(
        role=role, seat_holder=seat_holder, organisation=membership.organisation
    )
    users = _users_of_membership(membership)
    membership.role = role
    membership.seat_holder = seat_holder
    audited_save(membership, by=by)
    access_sync_for_users(users | _users_of_membership(membership))
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, end_on: dt.date | None = None, by: Actor
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_current:
        raise ValidationError(_("The membership has already ended."))
    users = _users_of_membership(membership)
    end_on = end_on or timezone.localdate()
    if end_on < membership.start_on:
        raise ValidationError({"end_on": _("A membership cannot end before it starts.")})
    for representative in membership.representatives.filter(end_on__isnull=True):
        representative.end_on = max(end_on, representative.start_on)
        audited_save(representative, by=by, update_fields=["end_on"])
    membership.end_on = end_on
    audited_save(membership, by=by, update_fields=["end_on"])
    access_sync_for_users(users)
    return membership


def representative_check(*, membership: Membership, person: Person) -> None:
    if not membership.is_current:
        raise ValidationError({"membership": _("The membership has ended.")})
    person_check_active(person)
    if person.organisation_id != membership.organisation_id:
        raise ValidationError(
            {
                "person": _("%(person)s does not work for %(organisation)s.")
                % {"person": person, "organisation": membership.organisation}
            }
        )


@transaction.atomic
def representative_add(
    *,
    membership: Membership,
    person: Person,
    kind: str = Representative.Kind.PRINCIPAL,
    start_on: dt.date | None = None,
    by: Actor,
) -> Representative:
    representative_check(membership=membership, person=person)
    representative = Representative(
        membership=membership,
        person=person,
        kind=kind,
        start_on=start_on or timezone.localdate(),
    )
    audited_save(representative, by=by)
    if person.user_id:
        access_sync_for_users({person.user_id})
    return representative


@transaction.atomic
def representative_end(
    *, representative: Representative, end_on: dt.date | None = None, by: Actor
) -> Representative:
    if representative.end_on is not None:
        raise ValidationError(_("The representation has already ended."))
    end_on = end_on or timezone.localdate()
    if end_on < representative.start_on:
        raise ValidationError({"end_on": _("A representation cannot end before it starts.")})
    representative.end_on = end_on
    audited_save(representative, by=by, update_fields=["end_on"])
    if representative.person.user_id:
        access_sync_for_users({representative.person.user_id})
    return representative


@transaction.atomic
def person_link_user(*, person: Person, user: User | None, by: Actor) -> Person:
    """Give `person` a login (or take it away with None); access follows the login."""
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ValidationError(
            {"user": _("The login %(login)s already belongs to someone else.") % {"login": user}}
        )
    previous = person.user_id
    person.user = user
    audited_save(person, by=by, update_fields=["user"])
    access_sync_for_users({user.pk if user else None, previous})
    return person


@transaction.atomic
def person_transfer(
    *, person: Person, organisation: Organisation, position: str, on: dt.date, by: Actor
) -> Person:
    """Move a person to another organisation: they stop representing the old one."""
    old_organisation_id = person.organisation_id
    person = person_change_affiliation(
        person=person, organisation=organisation, position=position, on=on, by=by
    )
    # Without an organisation before, the person represented nobody.
    if old_organisation_id is not None:
        for representative in Representative.objects.filter(
            person=person, end_on__isnull=True, membership__organisation_id=old_organisation_id
        ):
            representative.end_on = max(on, representative.start_on)
            audited_save(representative, by=by, update_fields=["end_on"])
    for membership in Membership.objects.filter(seat_holder=person, end_on__isnull=True):
        membership.seat_holder = None
        audited_save(membership, by=by, update_fields=["seat_holder"])
    if person.user_id:
        access_sync_for_users({person.user_id})
    return person


@transaction.atomic
def person_deactivate(*, person: Person, by: Actor) -> Person:
    """Someone who has left: their representations end today, the chair seats they held
    are left without a holder, their access is recomputed; their history stays."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    for representative in Representative.objects.filter(person=person, end_on__isnull=True):
        representative_end(representative=representative, by=by)
    for membership in Membership.objects.filter(seat_holder=person, end_on__isnull=True):
        membership_update(membership=membership, role=membership.role, seat_holder=None, by=by)
    person = person_set_active(person=person, is_active=False, by=by)
    if person.user_id:
        access_sync_for_users({person.user_id})
    return person


@transaction.atomic
def organisation_deactivate(*, organisation: Organisation, by: Actor) -> Organisation:
    """An organisation that no longer takes part: its current memberships end today
    (with their representatives), its history stays."""
    for membership in Membership.objects.filter(organisation=organisation, end_on__isnull=True):
        membership_end(membership=membership, by=by)
    return organisation_set_active(organisation=organisation, is_active=False, by=by)


def _group_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="groups", codename=codename)


@transaction.atomic
def access_sync_for_users(user_ids: Iterable[int | None]) -> None:
    """Recompute, from current seats, the group and organisation grants of these users.

    - every current representative and seat holder sees their group;
    - chair and co-chair seat holders see and manage their group and its sub-groups;
    - seat holders, and representatives of member, chair and co-chair seats, act for
      their organisation (observers see, never act).
    """
    user_ids = {user_id for user_id in user_ids if user_id}
    if not user_ids:
        return
    view = _group_permission("view_coordinationgroup")
    manage = _group_permission("manage_group")
    for user in User.objects.filter(pk__in=user_ids):
        representations = Representative.objects.filter(
            person__user=user, end_on__isnull=True, membership__end_on__isnull=True
        ).values_list("membership__group_id", "membership__organisation_id", "membership__role")
        seats = list(
            Membership.objects.filter(
                seat_holder__user=user, end_on__isnull=True, role__in=CHAIR_ROLES
            ).values_list("group_id", "organisation_id")
        )
        managed = group_descendant_ids(group_id for group_id, _ in seats) if seats else set()
        viewed = {group_id for group_id, _, _ in representations} | managed
        acted_for = {
            organisation_id
            for _, organisation_id, role in representations
            if role != Membership.Role.OBSERVER
        } | {organisation_id for _, organisation_id in seats}
        _group_grants_set(user=user, permission=view, group_ids=viewed)
        _group_grants_set(user=user, permission=manage, group_ids=managed)
        organisation_grants_set(user=user, organisation_ids=acted_for)


def _group_grants_set(*, user: User, permission: Permission, group_ids: set[int]) -> None:
    existing = CoordinationGroupUserObjectPermission.objects.filter(
        user=user, permission=permission
    )
    held = set(existing.values_list("content_object_id", flat=True))
    existing.exclude(content_object_id__in=group_ids).delete()
    CoordinationGroupUserObjectPermission.objects.bulk_create(
        CoordinationGroupUserObjectPermission(
            user=user, permission=permission, content_object_id=group_id
        )
        for group_id in group_ids - held
    )
    grants_changed()


# --- Confidentiality labels -------------------------------------------------------------


def _confidentiality_refusal(label: object) -> str:
    return _("%(label)s is not a confidentiality label: choose public, members or restricted.") % {
        "label": repr(label)
    }


def confidentiality_check(confidentiality: object) -> str:
    """The label, or a refusal naming `confidentiality`."""
    if confidentiality not in Confidentiality.values:
        raise ValidationError({"confidentiality": _confidentiality_refusal(confidentiality)})
    return str(confidentiality)


@dataclass(frozen=True)
class Label:
    """A label for a new row: the label itself and, for a restricted one, the
    organisations it names (none under the other labels)."""

    confidentiality: str
    organisations: tuple[Organisation, ...] = ()

    def attach(self, record: Labelled) -> None:
        """Name the organisations on a row just saved with this label."""
        if self.organisations:
            record.restricted_to.set(self.organisations)


def label_for_new(
    *,
    confidentiality: str | None,
    restricted_to: Iterable[Organisation] = (),
    group: CoordinationGroup,
    container: Labelled | None = None,
) -> Label:
    """The label a new row of `group` starts with: the one asked for, or else its
    container's (a meeting's agenda item, minutes, decision or action point take the
    meeting's label and organisations), or else the group's usual label from its terms
    of reference (inherited from the groups above; "members" at the root). Organisations
    are kept only under "restricted"; given without a label, they name those of a
    restricted default."""
    organisations = tuple(restricted_to)
    if confidentiality is None:
        if container is not None:
            confidentiality = container.confidentiality
            if not organisations and confidentiality == Confidentiality.RESTRICTED:
                organisations = tuple(container.restricted_to.all())
        else:
            confidentiality = terms_of_reference(group).default_confidentiality
    label = confidentiality_check(confidentiality)
    if label != Confidentiality.RESTRICTED:
        organisations = ()
    return Label(confidentiality=label, organisations=organisations)


@transaction.atomic
def confidentiality_set(
    *,
    record: Labelled,
    confidentiality: str,
    restricted_to: Iterable[Organisation] = (),
    by: Actor,
) -> Labelled:
    """Change a row's label (and, for "restricted", the organisations it names): the
    one way a label changes once the row exists. A change is written to the row's
    trail (ConfidentialityChange, with the organisations' names as they are today);
    asking for the label the row has already writes nothing."""
    label = confidentiality_check(confidentiality)
    organisations = (
        sorted(set(restricted_to), key=lambda organisation: (organisation.name, organisation.pk))
        if label == Confidentiality.RESTRICTED
        else []
    )
    model = type(record)
    locked = model._default_manager.select_for_update().get(pk=record.pk)
    old_label = locked.confidentiality
    old_ids = set(locked.restricted_to.values_list("pk", flat=True))
    new_ids = {organisation.pk for organisation in organisations}
    if old_label == label and old_ids == new_ids:
        return locked
    locked.confidentiality = label
    audited_save(locked, by=by, update_fields=["confidentiality"])
    locked.restricted_to.set(organisations)
    audited_save(
        ConfidentialityChange(
            content_type=ContentType.objects.get_for_model(model),
            object_id=locked.pk,
            old_label=old_label,
            new_label=label,
            organisations=[organisation.name for organisation in organisations],
            changed_by=author_of(by),
        ),
        by=by,
    )
    record.confidentiality = label
    return locked
