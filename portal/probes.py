"""A row's probe of another table's unique index, written without a subquery object.

The permission funnels ask, for each row a list reads, whether a short table holds a
pair: is this person invited to the row's meeting, does the row's label name one of
the user's organisations. `Exists(Model.objects.filter(...))` says that, but Django
resolves and relabels a whole query for it, every time a funnel is built: for a member
agency's list that was most of the 2.5-6 ms the funnel cost to build (more than the
database took to run it), the secretariat's funnel being no condition at all.

`Probe` writes the same SQL (`EXISTS (SELECT 1 FROM table WHERE key = outer row's
column AND column = value ...)`) from the table's metadata, and leaves only the outer
column to Django, which names it whatever alias the row has in the query (a join, a
subquery's U0). The databases plan it as they planned Django's.
"""

from collections.abc import Collection, Sequence
from typing import Any

from django.db import models
from django.db.models import BooleanField, Expression, F

# The probed table's own alias: none of Django's (table names, T1, U0, V0...).
ALIAS = "probed"


class Probe(Expression):
    conditional = True
    output_field = BooleanField()

    def __init__(
        self,
        model: type[models.Model],
        *,
        key: str,
        outer: str | Expression,
        **matches: int | Collection[int],
    ) -> None:
        """Whether `model` holds a row whose field `key` is the outer row's `outer`
        (a path from that row, as in F()) and whose other fields are the `matches`
        given: one value, or any of a collection (which must not be empty)."""
        super().__init__()
        self.model = model
        self.key = key
        self.outer = F(outer) if isinstance(outer, str) else outer
        self.matches = {
            name: sorted(value)
            if isinstance(value, Collection) and not isinstance(value, str)
            else value
            for name, value in matches.items()
        }
        for name, value in self.matches.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"Probe of {model.__name__}.{name}: no value to match.")

    def __repr__(self) -> str:
        return f"Probe({self.model.__name__}, {self.key}={self.outer!r}, {self.matches!r})"

    def get_source_expressions(self) -> list[Any]:
        return [self.outer]

    def set_source_expressions(self, expressions: Sequence[Any]) -> None:
        (self.outer,) = expressions

    def _column(self, name: str, connection) -> str:
        field = self.model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"Probe of {self.model.__name__}: {name} is not a column.")
        return f"{ALIAS}.{connection.ops.quote_name(field.column)}"

    def as_sql(self, compiler, connection, **extra_context: Any) -> tuple[str, list[Any]]:
        outer_sql, outer_params = compiler.compile(self.outer)
        conditions = [f"{self._column(self.key, connection)} = {outer_sql}"]
        params: list[Any] = list(outer_params)
        for name, value in self.matches.items():
            if isinstance(value, list):
                placeholders = ", ".join(["%s"] * len(value))
                conditions.append(f"{self._column(name, connection)} IN ({placeholders})")
                params.extend(value)
            else:
                conditions.append(f"{self._column(name, connection)} = %s")
                params.append(value)
        table = connection.ops.quote_name(self.model._meta.db_table)
        # Names quoted by the backend from the models' metadata; every value a parameter.
        sql = f"EXISTS(SELECT 1 FROM {table} {ALIAS} WHERE {' AND '.join(conditions)})"  # noqa: S608
        return sql, params
