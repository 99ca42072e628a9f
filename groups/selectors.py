"""Reads for groups, with their joins done."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from groups.models import CoordinationGroup, Membership, Representative
from members.models import Organisation


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
    return queryset.select_related("parent").prefetch_related(visible_children, memberships)


def group_list_with_chairs(*, queryset: QuerySet[CoordinationGroup]) -> QuerySet[CoordinationGroup]:
    """Groups with their parent and their current chair and co-chair seats loaded
    (`chair_seats`), in one extra query whatever the number of groups."""
    chairs = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(
            end_on__isnull=True, role__in=[Membership.Role.CHAIR, Membership.Role.CO_CHAIR]
        ).select_related("organisation", "seat_holder"),
        to_attr="chair_seats",
    )
    return queryset.select_related("parent").prefetch_related(chairs).order_by("kind", "name")


def membership_list(*, queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """Memberships with group, organisation, seat holder and current representatives."""
    representatives = Prefetch(
        "representatives",
        queryset=Representative.objects.filter(end_on__isnull=True).select_related("person"),
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
