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

from typing import Any

from django.db.models import F, Func


class KeptOffIndex(Func):
    """A column that SQLite must not read from an index, to order or filter by."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context: Any):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def kept_off_index(column: str) -> KeptOffIndex:
    """`column` to order by (sorted after the rows are read, not walked in order) or to
    filter by (checked on the rows read through another index)."""
    return KeptOffIndex(F(column))
