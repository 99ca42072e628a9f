"""Reads for groups, with their joins done."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from groups.models import (
    Confidentiality,
    ConfidentialityChange,
    CoordinationGroup,
    Labelled,
    Membership,
    QuorumRule,
    Representative,
)
from members.models import Organisation
from portal.lookups import ids_in
from portal.ordering import kept_off_index


def _children_by_parent() -> dict[int | None, list[int]]:
    # The tree is small (a framework has tens of groups), so one query for the whole
    # adjacency list beats a recursive query per level.
    children: dict[int | None, list[int]] = defaultdict(list)
    for group_id, parent_id in CoordinationGroup.objects.values_list("id", "parent_id"):
        children[parent_id].append(group_id)
    return children


def group_descendant_ids(group_ids: Iterable[int], *, include_self: bool = True) -> set[int]:
    children = _children_by_parent()
    found: set[int] = set()
    stack = list(group_ids)
    roots = set(stack)
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found if include_self else found - roots


def group_ancestor_ids(group: CoordinationGroup) -> list[int]:
    parents = dict(CoordinationGroup.objects.values_list("id", "parent_id"))
    ancestors: list[int] = []
    current = parents.get(group.pk)
    while current is not None and current not in ancestors:
        ancestors.append(current)
        current = parents.get(current)
    return ancestors


# The rules of the terms of reference a sub-group inherits when it leaves them empty.
INHERITED_RULES = (
    "mandate",
    "mandate_ar",
    "mandate_fr",
    "endorsed_by",
    "endorsed_on",
    "notice_period_days",
    "quorum_rule",
    "usual_duration_minutes",
    "usual_venue",
    "rhythm",
    "default_confidentiality",
)
# The roles whose organisations make a quorum; observers never count.
QUORUM_ROLES = (Membership.Role.CHAIR, Membership.Role.CO_CHAIR, Membership.Role.MEMBER)


@dataclass(frozen=True)
class TermsOfReference:
    """A group's rules as they apply to it: its own, or else its nearest ancestor's.
    `inherited_from` names, for each rule taken from above, the group that set it."""

    group: CoordinationGroup
    mandate: str = ""
    mandate_ar: str = ""
    mandate_fr: str = ""
    endorsed_by: str = ""
    endorsed_on: dt.date | None = None
    notice_period_days: int | None = None
    quorum_rule: str = ""
    quorum_value: int | None = None
    usual_duration_minutes: int | None = None
    usual_venue: str = ""
    rhythm: str = ""
    # The label new meetings and records of the group start with, when nobody in the
    # chain sets one: the group's members and observers.
    default_confidentiality: str = Confidentiality.MEMBERS
    inherited_from: dict[str, CoordinationGroup] = field(default_factory=dict)

    def mandate_in(self, language: str) -> str:
        """The mandate in `language`, or in English when it has none in that language."""
        return {"ar": self.mandate_ar, "fr": self.mandate_fr}.get(language) or self.mandate

    def quorum_needed(self, member_organisations: int) -> int | None:
        """How many member organisations make the quorum, of `member_organisations`;
        None when the terms set none."""
        if self.quorum_rule == QuorumRule.COUNT and self.quorum_value:
            return self.quorum_value
        if self.quorum_rule == QuorumRule.SHARE and self.quorum_value:
            return math.ceil(member_organisations * self.quorum_value / 100)
        return None


def _is_set(value: object) -> bool:
    return value not in (None, "")


# What the terms of reference of a tree are worked out from: the links, the names an
# inherited rule is shown with ("from <group>"), and the rules.
_TERMS_COLUMNS = (
    "id",
    "parent_id",
    "name",
    "name_ar",
    "name_fr",
    "short_name",
    "kind",
    *INHERITED_RULES,
    "quorum_value",
)


def terms_of_reference(group: CoordinationGroup) -> TermsOfReference:
    """The group's terms with what it leaves empty taken from the groups above it.
    One query for the chain above (the tree is shallow); none for a group at the root."""
    if not group.parent_id:
        return _terms_from_chain([group])
    return terms_of_reference_for([group])[group.pk]


def terms_of_reference_for(groups: Iterable[CoordinationGroup]) -> dict[int, TermsOfReference]:
    """terms_of_reference for each of `groups`, by id, in one query whatever their
    number: the tree is small (a framework has tens of groups), so its rules are read
    whole rather than chain by chain."""
    groups = list(groups)
    if not groups:
        return {}
    # The rows above are read with only what the terms need; the groups asked about
    # are the caller's own instances.
    tree = {row.pk: row for row in CoordinationGroup.objects.only(*_TERMS_COLUMNS)}
    return {group.pk: _terms_from_chain(_chain_up(group, tree)) for group in groups}


@dataclass(frozen=True)
class RulesOfGroup:
    """A group's terms of reference as a list answered from rows gives them: every rule
    as it applies (TermsOfReference's, its defaults where no group in the chain sets
    one), for each rule taken from above the id of the group that set it, and the
    group's own reminder days."""

    rules: dict[str, object]
    inherited_from: dict[str, int]
    reminder_days: list[int]


_RULES_DEFAULTS: dict[str, object] = {
    rule: TermsOfReference.__dataclass_fields__[rule].default
    for rule in (*INHERITED_RULES, "quorum_value")
}


@dataclass(frozen=True)
class _RulesRow:
    """One group of the tree as terms_of_reference_rows reads it: no model instance (a
    list of groups read the whole tree as fifty instances, a third of its time)."""

    pk: int
    parent_id: int | None
    own: dict[str, object]
    reminder_days: list[int]


def terms_of_reference_rows(group_ids: Iterable[int]) -> dict[int, RulesOfGroup]:
    """The terms of reference of the groups of `group_ids` (a list answered from rows
    has no instances of its own), read with the rest of the tree as rows: one query. A
    group gone since its id was read has none."""
    group_ids = list(group_ids)
    if not group_ids:
        return {}
    columns = ("id", "parent_id", *INHERITED_RULES, "quorum_value", "reminder_days")
    tree = {}
    for values in CoordinationGroup.objects.values(*columns):
        tree[values["id"]] = _RulesRow(
            pk=values["id"],
            parent_id=values["parent_id"],
            own=_own_rules(values.__getitem__),
            reminder_days=values["reminder_days"] or [],
        )
    found = {}
    for pk in group_ids:
        if pk not in tree:
            continue
        chain = _chain_up(tree[pk], tree)
        rules, came_from = _merged(chain, lambda row: row.own)
        found[pk] = RulesOfGroup(
            rules={**_RULES_DEFAULTS, **rules},
            inherited_from={rule: source.pk for rule, source in came_from.items()},
            reminder_days=list(tree[pk].reminder_days),
        )
    return found


_Row = TypeVar("_Row", CoordinationGroup, _RulesRow)


def _chain_up(group: _Row, tree: dict[int, _Row]) -> list[_Row]:
    """`group`, then the groups above it in `tree`, nearest first (a loop ends it)."""
    chain = [group]
    current = group.parent_id
    while current is not None and current in tree and tree[current] not in chain:
        chain.append(tree[current])
        current = tree[current].parent_id
    return chain


def _own_rules(read: Callable[[str], object]) -> dict[str, object]:
    """The rules a group sets itself, `read` giving each column's value by name; its
    quorum value goes with its quorum rule."""
    own = {rule: value for rule in INHERITED_RULES if _is_set(value := read(rule))}
    if "quorum_rule" in own:
        own["quorum_value"] = read("quorum_value")
    return own


def _merged(
    chain: list[_Row], own: Callable[[_Row], dict[str, object]]
) -> tuple[dict[str, object], dict[str, _Row]]:
    """The rules of chain[0] from its chain, nearest first: each rule from the nearest
    group that sets it, and for each rule taken from above, that group."""
    values: dict[str, object] = {}
    came_from: dict[str, _Row] = {}
    for source in reversed(chain):
        for rule, value in own(source).items():
            values[rule] = value
            came_from[rule] = source
    group = chain[0]
    return values, {
        rule: source
        for rule, source in came_from.items()
        if source is not group and rule != "quorum_value"
    }


def _terms_from_chain(chain: list[CoordinationGroup]) -> TermsOfReference:
    """The terms of chain[0], from it and the groups above it, nearest first."""
    values, inherited = _merged(
        chain, lambda source: _own_rules(lambda rule: getattr(source, rule))
    )
    return TermsOfReference(group=chain[0], inherited_from=inherited, **values)  # type: ignore[arg-type]


def quorum_organisation_ids(group: CoordinationGroup, *, on: dt.date | None = None) -> set[int]:
    """The organisations that count towards the group's quorum: its current members,
    chair and co-chair included, observers not."""
    return set(
        current_memberships(on=on)
        .filter(group=group, role__in=QUORUM_ROLES)
        .values_list("organisation_id", flat=True)
    )


def current_memberships(*, on: dt.date | None = None) -> QuerySet[Membership]:
    if on is None:
        return Membership.objects.filter(end_on__isnull=True)
    return Membership.objects.filter(Q(end_on__isnull=True) | Q(end_on__gte=on), start_on__lte=on)


def current_representatives() -> QuerySet[Representative]:
    return Representative.objects.filter(end_on__isnull=True, membership__end_on__isnull=True)


def group_detail(
    *, queryset: QuerySet[CoordinationGroup], children: QuerySet[CoordinationGroup]
) -> QuerySet[CoordinationGroup]:
    """Groups with their parent, their sub-groups among `children` (the ones the reader
    may see), and current memberships, seat holders and representatives loaded."""
    return queryset.select_related("parent").prefetch_related(*_group_detail_prefetches(children))


def group_detail_load(
    group: CoordinationGroup, *, children: QuerySet[CoordinationGroup]
) -> CoordinationGroup:
    """group_detail's sub-groups and memberships loaded onto a group already read (with
    its parent: group_get_for_user), rather than reading the group again for them."""
    prefetch_related_objects([group], *_group_detail_prefetches(children))
    return group


def _group_detail_prefetches(children: QuerySet[CoordinationGroup]) -> tuple[Prefetch, Prefetch]:
    representatives = Prefetch(
        "representatives",
        queryset=Representative.objects.filter(end_on__isnull=True).select_related("person"),
        to_attr="current_representatives",
    )
    memberships = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(end_on__isnull=True)
        .select_related("organisation", "seat_holder")
        .prefetch_related(representatives),
        to_attr="current_memberships",
    )
    visible_children = Prefetch(
        "children",
        queryset=CoordinationGroup.objects.filter(pk__in=children.values("pk")).order_by("name"),
    )
    return visible_children, memberships


def restricted_to_prefetch() -> Prefetch:
    """The organisations a labelled row names (its `restricted_to`), by name as the
    related manager lists them, read from this page's pairs rather than by walking the
    whole directory in name order (portal.ordering)."""
    return Prefetch("restricted_to", queryset=Organisation.objects.order_by(kept_off_index("name")))


def group_choices(*, queryset: QuerySet[CoordinationGroup]) -> QuerySet[CoordinationGroup]:
    """The groups of a filter's drop-down, by name: only what an option shows (its name in
    each language), not the terms of reference and reminder settings each group row
    carries, which a page of fifty options would otherwise load and decode."""
    return queryset.only("pk", "name", "name_ar", "name_fr").order_by("name")


def group_list_with_chairs(*, queryset: QuerySet[CoordinationGroup]) -> QuerySet[CoordinationGroup]:
    """Groups with their current chair and co-chair seats loaded (`chair_seats`, with
    the organisation's id, name and acronym and the seat holder's id and full name), in
    one extra query whatever the number of groups. The parent is not joined: a list
    names it by id."""
    chairs = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(
            end_on__isnull=True, role__in=[Membership.Role.CHAIR, Membership.Role.CO_CHAIR]
        )
        .select_related("organisation", "seat_holder")
        .only(
            "group_id",
            "role",
            "organisation__name",
            "organisation__acronym",
            "seat_holder__full_name",
        ),
        to_attr="chair_seats",
    )
    return queryset.prefetch_related(chairs).order_by("kind", "name")


# A seat as a list of groups shows it (groups.api.serializers: the chair and co-chair).
SEAT_COLUMNS = (
    "group_id",
    "pk",
    "organisation_id",
    "organisation__name",
    "organisation__acronym",
    "seat_holder_id",
    "seat_holder__full_name",
)


def current_chair_seat_rows(*, group_ids: list[int]) -> QuerySet:
    """The current chair and co-chair seats of the groups, as rows of SEAT_COLUMNS and
    the role. A group has at most one of each, kept by a unique index per role
    (membership_one_chair_per_group, ..._co_chair_...): one branch per role walks its
    index, where SQLite planned `role IN (...)` as a scan of every organisation, probing
    the seats of each (3.4 ms against 1.4 for the union, on the benchmark's 51 groups)."""

    def seats(role: str) -> QuerySet:
        return (
            Membership.objects.filter(ids_in("group", group_ids), end_on__isnull=True, role=role)
            .order_by()
            .values(*SEAT_COLUMNS, "role")
        )

    return seats(Membership.Role.CHAIR).union(seats(Membership.Role.CO_CHAIR), all=True)


def representatives_serving() -> QuerySet[Representative]:
    """The representatives a seat has now (whether or not the seat has ended), in the
    model's order."""
    return Representative.objects.filter(end_on__isnull=True)


def membership_list(*, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """Memberships with group, organisation, seat holder and current representatives."""
    representatives = Prefetch(
        "representatives",
        queryset=representatives_serving().select_related("person"),
        to_attr="current_representatives",
    )
    return queryset.select_related("group", "organisation", "seat_holder").prefetch_related(
        representatives
    )


def organisation_seats(
    *, queryset: QuerySet[Membership], organisation: Organisation
) -> QuerySet[Membership]:
    """An organisation's current seats, with their groups, by group name."""
    return (
        queryset.filter(organisation=organisation, end_on__isnull=True)
        .select_related("group")
        .order_by("group__name")
    )


def confidentiality_trail(*records: Labelled) -> list[ConfidentialityChange]:
    """The label changes of these rows (of any labelled kinds), newest first, each with
    the row it is about as `record` and who made it joined: one query whatever their
    number, none for no rows."""
    by_key = {
        (ContentType.objects.get_for_model(type(record)).pk, record.pk): record
        for record in records
        if record.pk is not None
    }
    if not by_key:
        return []
    ids_by_kind: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in by_key:
        ids_by_kind[content_type_id].add(object_id)
    rows = Q()
    for content_type_id, object_ids in ids_by_kind.items():
        rows |= Q(content_type_id=content_type_id, object_id__in=sorted(object_ids))
    changes = list(ConfidentialityChange.objects.filter(rows).select_related("changed_by__person"))
    for change in changes:
        change.record = by_key[(change.content_type_id, change.object_id)]  # type: ignore[attr-defined]
    return changes
