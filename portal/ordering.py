"""Orderings written so that the database reads the few rows it needs before it sorts.

A list's labelled rows prefetch their organisations: a join of the pairs of this page's
rows with the organisations, by name. SQLite answers that by walking every organisation
in the order of its name index and probing the pairs for each (the directory's size,
ten times the work at ten times the organisations), when reading the few pairs first
and sorting them costs almost nothing. `+name` (unary plus, SQLite's documented way of
keeping a term off an index) makes it sort; PostgreSQL plans the join from the pairs
anyway and is given the plain column.
"""

from typing import Any

from django.db.models import F, Func


class SortedAfterReading(Func):
    """A column to order by that SQLite must not read from an index."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra_context: Any):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def sorted_after_reading(column: str) -> SortedAfterReading:
    return SortedAfterReading(F(column))
