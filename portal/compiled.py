"""Queries every request runs (its session, its user), built by the ORM and compiled to
SQL once per database connection, then run again with the one value that changes.

Building the queryset and compiling it cost a request three to four times running it
(the user with their person: 0.36 ms through the ORM, 0.09 ms compiled once, on
SQLite). What comes back goes through the compiler's own converters and, for instances,
the ORM's own row-to-instance code, so a row reads as the ORM would have read it.

Kept on the connection object itself: a compiler holds its connection (the converters
ask it for its time zone), each thread or task has a connection of its own, and what is
kept goes with the connection when its thread ends (a dictionary keyed weakly by the
connection would not let go: its values hold the connection).

`ConditionCompiledOnce` does the same for the conditions of a permission funnel kept
per reader: their SQL is kept after the first compilation, for the copies to share."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in django-stubs
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.where import WhereNode
from django.utils import timezone
from django.utils.translation import get_language

_KEPT_ATTRIBUTE = "_tansiq_compiled_once"
ModelT = TypeVar("ModelT", bound=Model)


class _Converters:
    """The compiler's converters of each column, worked out once with its SQL: the
    ORM's results_iter works them out at every run, asking the backend and each field
    for every column (for the user with their person, more than running the query)."""

    def __init__(self, compiler: SQLCompiler) -> None:
        self.compiler = compiler
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        # A composite key's columns are paired into tuples by results_iter alone.
        self.composite = compiler.has_composite_fields(fields)
        self.converters = {} if self.composite else compiler.get_converters(fields)

    def rows(self, sql: str, params: list, using: str, *, first: bool = False) -> Iterable[Any]:
        """The rows of the compiler's SQL, run with `params`, as the ORM reads them."""
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchmany(1) if first else cursor.fetchall()
        if self.composite:
            return self.compiler.results_iter(results=[raw])
        if not self.converters:
            return raw
        return self.compiler.apply_converters(raw, self.converters)


class _Compiled:
    def __init__(self, queryset: QuerySet, placeholder: object, using: str) -> None:
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise TypeError("compiled once: instances or values_list() rows only")
        self.compiler: SQLCompiler = queryset.query.get_compiler(using=using)
        self.sql, params = self.compiler.as_sql()
        self.converted = _Converters(self.compiler)
        self.params = list(params)
        where = [index for index, param in enumerate(self.params) if param == placeholder]
        if len(where) != 1:
            raise ValueError(f"the placeholder {placeholder!r} must be the query's one value")
        self.position = where[0]
        self.instances = queryset._iterable_class is ModelIterable
        if self.instances:
            select, klass_info = self.compiler.select, self.compiler.klass_info
            if klass_info is None:
                raise TypeError("compiled once: the query reads no model")
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.model: type[Model] = klass_info["model"]
            self.attnames = [column[0].target.attname for column in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, using)

    def rows(self, value: object, using: str, *, first: bool) -> list[Any]:
        params = list(self.params)
        params[self.position] = value
        rows = self.converted.rows(self.sql, params, using, first=first)
        if not self.instances:
            return [tuple(row) for row in rows]
        return [self._instance(row, using) for row in rows]

    def _instance(self, row: Any, using: str) -> Model:
        instance = self.model.from_db(using, self.attnames, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, instance)
        return instance


class CompiledOnce:
    """`build(placeholder)` is the query, the placeholder standing where the value goes
    (a value of the field's type that it passes through unchanged: an id, a string);
    `first(value)` runs it with `value` there and returns its first row, as the
    queryset would (an instance, its select_related relations loaded, or a
    values_list() tuple), or None; `all(value)` returns every row. The query must have
    no other value equal to the placeholder, and its values must not change between
    runs (no `now()` in it: compare in Python what the row returns)."""

    def __init__(self, build: Callable[[Any], QuerySet[Any, Any]], placeholder: object) -> None:
        self.build = build
        self.placeholder = placeholder

    def first(self, value: object, using: str = DEFAULT_DB_ALIAS) -> Any:
        rows = self._compiled(using).rows(value, using, first=True)
        return rows[0] if rows else None

    def all(self, value: object, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        return self._compiled(using).rows(value, using, first=False)

    def _compiled(self, using: str) -> _Compiled:
        kept: dict[CompiledOnce, _Compiled] = connections[using].__dict__.setdefault(
            _KEPT_ATTRIBUTE, {}
        )
        compiled = kept.get(self)
        if compiled is None:
            compiled = kept[self] = _Compiled(self.build(self.placeholder), self.placeholder, using)
        return compiled


class _CompiledForIds:
    def __init__(self, queryset: QuerySet, placeholders: list[int], using: str) -> None:
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("compiled for ids: values() rows only")
        query = queryset.query
        self.compiler: SQLCompiler = query.get_compiler(using=using)
        try:
            self.sql, params = self.compiler.as_sql()
        except EmptyResultSet:
            # A query that can match nothing (an empty IN of its own), as the ORM answers it.
            self.sql, params = "", ()
        self.params = list(params)
        self.converted = _Converters(self.compiler) if self.sql else None
        # Where each id goes: as often as any other (a union asks them in each branch).
        where: dict[int, list[int]] = {placeholder: [] for placeholder in placeholders}
        for index, param in enumerate(self.params):
            # Whole numbers only: a list (an array lookup) is no key, a float no id.
            if type(param) is int and param in where:
                where[param].append(index)
        if self.sql and (
            len({len(found) for found in where.values()}) != 1 or not where[placeholders[0]]
        ):
            raise ValueError("the ids must stand in the query, each as often as the others")
        self.positions = [where[placeholder] for placeholder in placeholders]
        # As ValuesIterable names them.
        self.names = (
            list(query.selected)
            if query.selected
            else [
                *query.extra_select,
                *query.values_select,
                *query.annotation_select,
            ]
        )

    def rows(self, ids: list[int], using: str) -> list[dict[str, Any]]:
        if self.converted is None:
            return []
        params = list(self.params)
        for positions, value in zip(self.positions, ids, strict=True):
            for position in positions:
                params[position] = value
        converted = self.converted.rows(self.sql, params, using)
        # As ValuesIterable: columns past the names (what a DISTINCT orders by) left out.
        return [dict(zip(self.names, row, strict=False)) for row in converted]


class CompiledForIds:
    """`build(ids)` is a `.values()` query of what a page's rows have in another table
    (a paper's current version, a seat's representatives; or of what a request reads by
    a few ids of its reader's: their organisations' webhook endpoints), the ids written as
    parameters of their own (portal.lookups.ids_in; in each branch of a union); it is built and
    compiled once per database connection and number of ids, then run again with the
    page's ids: building and compiling a page's current versions of papers cost more
    than running them. `rows(ids)` gives the rows as `.values()` would, converted by the
    compiler's own converters. What is kept is also keyed by the active time zone and
    language (a date lookup is compiled in the zone), but the query must hold no value
    that changes between runs (no clock, no reader), and `ids` are a page's own keys:
    whole numbers, each once."""

    # How many numbers of ids (a list's page sizes and last pages), zones and languages
    # one query keeps per connection: any further is compiled each time.
    KEPT = 16
    # The ids it is compiled with: no row has a negative id.
    _FIRST_PLACEHOLDER = -(10**15)

    def __init__(self, build: Callable[[list[int]], QuerySet[Any, Any]]) -> None:
        self.build = build

    def rows(self, ids: list[int], using: str = DEFAULT_DB_ALIAS) -> list[dict[str, Any]]:
        if not ids:
            return []
        kept: dict = connections[using].__dict__.setdefault(_KEPT_ATTRIBUTE, {})
        per_number: dict[tuple, _CompiledForIds] = kept.setdefault(self, {})
        key = (len(ids), timezone.get_current_timezone_name(), get_language())
        compiled = per_number.get(key)
        if compiled is None:
            placeholders = [self._FIRST_PLACEHOLDER - place for place in range(len(ids))]
            compiled = _CompiledForIds(self.build(placeholders), placeholders, using)
            if len(per_number) < self.KEPT:
                per_number[key] = compiled
        return compiled.rows(ids, using)


class ConditionCompiledOnce(WhereNode):
    """A query's WHERE whose SQL is kept after its first compilation, for the funnels
    kept per reader (members.permissions.remembered_per_reader): a member agency's
    funnel is a tree of dozens of lookups and subqueries, and compiling it cost each of
    their requests 0.2-0.3 ms more than the secretariat's, whose funnel is no condition.

    The copies a funnel hands out (`.all()`) share what is kept; a copy whose aliases
    are changed (used as a subquery, combined with another) or whose conditions are
    replaced stops sharing it. The SQL is kept per database, compiler, the aliases of
    the query being compiled (a copy may gain joins) and the active time zone (a date
    lookup is compiled in it): what else a condition's SQL could depend on, it holds
    itself. Its values are kept with it, so the condition must hold no value that
    changes (no clock), as a remembered funnel must not anyway."""

    # How many compilations (databases, compilers, join sets, zones) one condition
    # keeps: the first ones asked; any further is compiled each time.
    KEPT = 8
    _kept: dict | None = None

    @classmethod
    def kept_in(cls, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
        """`queryset`, its conditions compiled once. They become one condition inside
        its WHERE, so that a filter added to a copy is added beside them, not among
        them (the SQL gains a pair of parentheses)."""
        where = queryset.query.where
        if not where.children:
            return queryset
        node = cls(list(where.children), where.connector, where.negated)
        node.resolved = where.resolved
        node._kept = {}
        queryset.query.where = WhereNode([node])
        return queryset

    def clone(self):
        # A copy shares the conditions under it, which nothing changes in place but
        # relabel_aliases (below: it copies them first). Django's clone copies every
        # node of the tree, and a query is cloned at each step of a list (filter,
        # order, values, slice): a member's funnel of dozens of nodes.
        clone = self.create(list(self.children), self.connector, self.negated)
        clone._kept = self._kept  # type: ignore[attr-defined]  # made by create(): this class
        return clone

    def relabel_aliases(self, change_map):
        if change_map:
            self._kept = {}
            # Relabelled in place, the conditions shared with other copies are
            # copied first, as Django's own clone would have copied them.
            self.children = [
                child.clone() if hasattr(child, "clone") else child for child in self.children
            ]
        return super().relabel_aliases(change_map)

    def set_source_expressions(self, children):
        self._kept = {}
        super().set_source_expressions(children)  # type: ignore[misc]  # not in django-stubs

    def as_sql(self, compiler, connection):
        kept = self._kept
        if kept is None:
            return super().as_sql(compiler, connection)
        query = compiler.query
        key = (
            connection.alias,
            type(compiler),
            compiler.elide_empty,
            tuple((alias, join.table_name) for alias, join in query.alias_map.items()),
            tuple(query.external_aliases.items()),
            timezone.get_current_timezone_name() if settings.USE_TZ else None,
        )
        found = kept.get(key)
        if found is None:
            sql, params = super().as_sql(compiler, connection)
            found = (sql, tuple(params))
            if len(kept) < self.KEPT:
                kept[key] = found
        return found[0], list(found[1])
