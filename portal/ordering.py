"""Columns written so that the database reads the few rows it needs first.

A list's labelled rows prefetch their organisations: a join of the pairs of this page's
rows with the organisations, by name. SQLite answers that by walking every organisation
in the order of its name index and probing the pairs for each (the directory's size,
ten times the work at ten times the organisations), when reading the few pairs first
and sorting them costs almost nothing. `+name` (unary plus, SQLite's documented way of
keeping a term off an index) makes it sort; PostgreSQL plans the join from the pairs
anyway and is given the plain column.

The same holds for a filter: a meeting's carried-over action points are the open ones
of its group. SQLite read them through every earlier meeting of the group (its
history's size) rather than through the few open action points; `+group_id` keeps it on
the latter.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import F, Func, Q, QuerySet


class KeptOffIndex(Func):
    """A column that SQLite must not read from an index, to order or filter by."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context: Any):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def kept_off_index(column: str) -> KeptOffIndex:
    """`column` to order by (sorted after the rows are read, not walked in order) or to
    filter by (checked on the rows read through another index)."""
    return KeptOffIndex(F(column))


# The most parts merged: each arm of the union repeats the list's conditions, and SQLite
# takes at most 500 arms in one compound query (an organisation with many endpoints).
MERGED_PARTS_AT_MOST = 16


def merged_in_order(
    queryset: QuerySet, parts: Callable[[], Sequence[Q] | None], *order: str
) -> QuerySet:
    """`queryset` in `order`, read on SQLite as the merge of its rows under each of the
    `parts` (conditions no two of which hold for one row, together holding for all of
    them; asked only on SQLite).

    SQLite answers an OR of indexed conditions by reading every row that meets one and
    sorting them all, however few the page shows: an agency's delivery log, its people's
    e-mails or its endpoint's calls, sorted every call it ever had (the benchmark's
    7,200: 16 ms, and ten times that at ten times the history). A UNION ALL in `order`
    it merges, each part read in that order from its own index only as far as the page
    goes (0.8 ms with the page's columns and joins). A part with no index in that order
    is read and sorted on its own. PostgreSQL plans each arm of a union apart and sorted
    the whole of it (7.3 ms); for the OR it weighs walking the list's own index against
    reading each condition's, by its statistics (1.8 ms), so it keeps the OR. So does
    SQLite past MERGED_PARTS_AT_MOST parts.

    The union takes no prefetch: its rows are read as a list plan's `.values()`
    (portal.api.rows) or with their joins."""
    if connections[queryset.db].vendor != "sqlite":
        return queryset.order_by(*order)
    conditions = parts()
    if conditions is None or not 2 <= len(conditions) <= MERGED_PARTS_AT_MOST:
        return queryset.order_by(*order)
    return union_in_order(queryset, conditions, *order)


def union_in_order(queryset: QuerySet, parts: Sequence[Q], *order: str) -> QuerySet:
    """The UNION ALL of `queryset` under each of `parts`, in `order` (merged_in_order)."""
    arms = [queryset.prefetch_related(None).filter(part).order_by() for part in parts]
    return arms[0].union(*arms[1:], all=True).order_by(*order)
