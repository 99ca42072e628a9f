"""API lists answered from one `.values()` query, shaped by a plan made once per serializer.

DRF builds a page by making a model instance for every row (and for every object it
joins) and then asking each field of each serializer for its value: on a page of 100
rows that is most of the request. When a list's serializer reads only model columns,
the ids of foreign keys, nested objects along foreign keys, and the ids of a
many-to-many, the same JSON comes from one `.values()` query with the joins, plus one
query per many-to-many, shaped by a plan compiled from the serializer's own fields.

A method field is read from columns when its serializer says how in `ROW_FIELDS`
({field name: ((column, ...), function of their values)}; the function may be a
`PerPage`, made once for each page), or worked out for the whole
page in queries of its own when the serializer names it in `ROW_PAGE` ({field name:
(reader, key)}, the reader a function of the page's row ids giving {row id: {key:
value}}, called once for all the fields that name it: a group's chair and co-chair
seats, its terms of reference inherited down the tree). A nested list (a prefetch
with its own filter) is read in one more query when the serializer names its rows in
`ROW_MANY` ({field name: (foreign key to the row, function giving the queryset the
list's prefetch uses)}); its items are planned like any serializer, and its query is
compiled once per database connection, number of ids, time zone and language
(portal.compiled.CompiledForIds), so that queryset must read nothing that changes from
one request to the next (no reader, no clock). A nested object that is not a foreign
key (a paper's current version, attached by the view) is read the same
way when the serializer names it in `ROW_ONE` (same shape; at most one item per row, null
when none). A column shown to some readers only (a person's e-mail) is read like any
other when the serializer names it in `ROW_HIDDEN` ({field name: context key}): null on
a row whose id is not in the serializer context's set under that key, which the viewset
works out for the page (`context_for`), as the field's own `get_attribute` does; a
missing key hides. A serializer the plan cannot reproduce exactly (another method field,
a property, a field class it does not know, its own `to_representation`) is not compiled:
`plan_for` returns None and the list keeps DRF's path. tests/portal/test_api_rows.py
holds both paths' JSON equal for every list that compiles.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeGuard

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import ForeignKey, Model, QuerySet
from django_countries.fields import CountryField
from rest_framework import ISO_8601, relations, serializers
from rest_framework.settings import api_settings

from portal.api.serializers import UTCDateTimeField
from portal.compiled import CompiledForIds
from portal.lookups import ids_in

# Fields whose to_representation gives back the database's value unchanged, given the
# model field types they read (str() of a str, int() of an int, a choice's own value).
_TEXT = frozenset({"CharField", "TextField", "EmailField", "URLField", "SlugField"})
_WHOLE = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
_AS_STORED: dict[type, frozenset[str] | None] = {
    serializers.CharField: _TEXT,
    serializers.EmailField: _TEXT,
    serializers.URLField: _TEXT,
    serializers.SlugField: _TEXT,
    serializers.IntegerField: _WHOLE,
    serializers.BooleanField: frozenset({"BooleanField"}),
    serializers.ChoiceField: _TEXT | _WHOLE,
    serializers.JSONField: frozenset({"JSONField"}),  # decoded by values(), as on the model
    serializers.ReadOnlyField: None,  # any: it gives back what it reads
}
# Fields whose to_representation converts the value (dates and times, decimals): it is
# called on the value, as DRF would after reading the attribute.
_CONVERTED = (
    serializers.DateField,
    serializers.DateTimeField,
    serializers.TimeField,
    serializers.DecimalField,
    serializers.UUIDField,
    serializers.DurationField,
)

Row = dict[str, Any]
# Where a page's serializer context rides among the values worked out for the page.
_CONTEXT = object()


class _Unplannable(Exception):
    """The serializer reads something a `.values()` row does not hold."""


class PerPage:
    """A ROW_FIELDS function made anew for each page: `make()` gives the function of the
    columns, for one request's rows. For what a row's value depends on besides its
    columns but the same for the whole page: a link reversed in the request's language
    and URL setting (portal.pages.reverse_id_for_page), read once rather than per row
    (a page of papers' versions spent two thirds of its shaping reading them)."""

    def __init__(self, make: Callable[[], Callable[..., Any]]) -> None:
        self.make = make


class RowPlan:
    """The `.values()` columns a serializer reads and how to shape each row from them."""

    def __init__(
        self,
        model: type[Model],
        columns: list[str],
        shape: Callable[[Row, dict], dict],
        many: list,
        *,
        reads_context: bool = False,
    ):
        self.model = model
        self.columns = columns
        self._shape = shape
        # (output key, reader of {row id: [values]} for a page's row ids)
        self._many = [(key, read) for key, read in many if not isinstance(read, PerPage)]
        # (key, maker of a function of columns): ROW_FIELDS functions made once a page.
        self._per_page = [(key, read.make) for key, read in many if isinstance(read, PerPage)]
        # Whether a page's rows are shaped with the serializer context (ROW_HIDDEN).
        self.reads_context = reads_context

    @property
    def reads_related(self) -> bool:
        """Whether a page's rows need more queries (many-to-many ids, nested lists)."""
        return bool(self._many)

    def values(self, queryset: QuerySet, *extra: str) -> QuerySet:
        """The list's queryset (funnel, filters, ordering) reading only the plan's columns,
        and the `extra` ones its viewset reads to work out the context; joins the viewset
        prefetched for instances are not needed."""
        if not queryset.query.combinator:
            # A union takes no prefetch: its arms had theirs cleared (portal.ordering).
            queryset = queryset.prefetch_related(None)
        return queryset.values(*dict.fromkeys((*self.columns, *extra)))

    def rows(self, values: Iterable[Row], context: dict | None = None) -> list[dict]:
        values = list(values)
        ids = [row["pk"] for row in values]
        related: dict = {key: read(ids) for key, read in self._many} if ids else {}
        related.update((key, make()) for key, make in self._per_page)
        related[_CONTEXT] = context or {}
        return [self._shape(row, related) for row in values]


def _nested_of(owner: str, queryset: Callable[[], QuerySet], plan: "RowPlan"):
    """The reader of a nested list: {row id: [item dicts]}, in the queryset's order."""
    items = _nested_items(owner, queryset, plan)

    def read(ids: list[int]) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = {row_id: [] for row_id in ids}
        for row_id, item in items(ids):
            found[row_id].append(item)
        return found

    return read


def _nested_one_of(owner: str, queryset: Callable[[], QuerySet], plan: "RowPlan"):
    """The reader of a nested object: {row id: item dict, or None when there is none}; the
    queryset gives at most one per row (the first in its order would be kept)."""
    items = _nested_items(owner, queryset, plan)

    def read(ids: list[int]) -> dict[int, dict | None]:
        found: dict[int, dict | None] = dict.fromkeys(ids)
        for row_id, item in items(ids):
            if found[row_id] is None:
                found[row_id] = item
        return found

    return read


def _nested_items(owner: str, queryset: Callable[[], QuerySet], plan: "RowPlan"):
    """(row id, item dict) of a page's ids, by the nested list's queryset (which reads
    nothing but its own rows: no reader, no clock) compiled once per number of ids."""
    columns = dict.fromkeys((owner, *plan.columns))
    compiled = CompiledForIds(
        lambda ids: queryset().filter(ids_in(owner, ids)).prefetch_related(None).values(*columns)
    )

    def items(ids: list[int]):
        rows = compiled.rows(ids, using=router.db_for_read(plan.model))
        return ((row[owner], item) for row, item in zip(rows, plan.rows(rows), strict=True))

    return items


def many_to_many_ids(field, ids: list[int]) -> dict[int, list[int]]:
    """{row id: [target ids]} of a many-to-many `field` (e.g. Meeting's `restricted_to`)
    for a page's rows, in the target model's order, as the related manager lists them
    on the detail endpoints.

    The pairs are read alone, by the index on the owner column; the order is then asked
    of the few targets found. One query ordered through a join would let SQLite walk the
    whole target table in order, probing the pairs for each."""
    through = field.remote_field.through
    owner, column = field.m2m_column_name(), field.m2m_reverse_name()
    target = field.related_model
    found: dict[int, list[int]] = {row_id: [] for row_id in ids}
    if not ids:
        return found
    pairs = _pairs(through, owner, column, ids)
    if not pairs:
        return found
    targets = {target_id for _row_id, target_id in pairs}
    # Through the default manager, as the related manager reads them: a target it
    # leaves out is left out here too.
    ordering = target._meta.ordering
    ranked = target._default_manager.filter(pk__in=targets).order_by(*ordering, "pk")
    rank = {pk: place for place, pk in enumerate(ranked.values_list("pk", flat=True))}
    kept = [pair for pair in pairs if pair[1] in rank]
    for row_id, target_id in sorted(kept, key=lambda pair: rank[pair[1]]):
        found[row_id].append(target_id)
    return found


# Columns read back as the ints they are stored as, on every database.
_INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}


def _is_integer_key(field: Any) -> TypeGuard[ForeignKey]:
    return isinstance(field, ForeignKey) and (
        field.target_field.get_internal_type() in _INTEGER_KEYS
    )


def _integer_pairs(field: Any) -> bool:
    """Whether a many-to-many's pairs are two integer keys, as `_pairs` reads them."""
    through = field.remote_field.through
    names = (field.m2m_field_name(), field.m2m_reverse_field_name())
    return all(_is_integer_key(through._meta.get_field(name)) for name in names)


def _pairs(through: type[Model], owner: str, column: str, ids: list[int]) -> list[tuple]:
    """(owner id, target id) of the through table's rows for `ids`, by the owner column's
    index. Written out rather than asked of the ORM: Django prepares every value of an
    `__in` on a foreign key through the relation one by one, 0.4 ms for a page of 100
    ids (SQLite), ten times the query. The keys come back as the database gives them,
    which for integer keys is what the ORM would give. The table is read as it is, as
    Django's own through tables are (an explicit through model's manager is not asked)."""
    owner_field, target_field = (through._meta.get_field(name) for name in (owner, column))
    if not (_is_integer_key(owner_field) and _is_integer_key(target_field)):
        raise TypeError(f"{through.__name__}: only many-to-many ids of integer keys are read")
    connection = connections[router.db_for_read(through)]
    quote = connection.ops.quote_name
    owner_column, target_column = quote(owner_field.column), quote(target_field.column)
    marks = ", ".join(["%s"] * len(ids))
    # Names from the model, quoted; the ids are parameters.
    sql = (
        f"SELECT {owner_column}, {target_column} FROM {quote(through._meta.db_table)} "  # noqa: S608
        f"WHERE {owner_column} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(row_id) for row_id in ids])
        return [tuple(pair) for pair in cursor.fetchall()]


def _model_field(model, path: list[str]):
    for index, part in enumerate(path):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if index < len(path) - 1:
            if not (field.many_to_one or (field.one_to_one and field.concrete)):
                raise _Unplannable(part)
            model = field.related_model
    return field


def _is_country(model: type[Model], path: list[str]) -> bool:
    try:
        field = _model_field(model, path)
    except (FieldDoesNotExist, _Unplannable):
        return False
    return isinstance(field, CountryField) and not field.multiple


def _own_representation(serializer) -> bool:
    return type(serializer).to_representation is not serializers.Serializer.to_representation


def _compile(serializer, model: type[Model], prefix: str, columns: list[str], many: list):
    """The function making one serializer's dict from a row; appends the columns it
    reads to `columns` and its many-to-many reads to `many`."""
    if _own_representation(serializer):
        raise _Unplannable(type(serializer).__name__)
    steps: list[Callable[[Row, dict, dict], None]] = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField):
            if name in getattr(type(serializer), "ROW_PAGE", {}) and not prefix:
                steps.append(_page_step(serializer, name, many))
            else:
                steps.append(_method_step(serializer, name, prefix, columns, many))
            continue
        if isinstance(field, serializers.ListSerializer) and not prefix:
            steps.append(_nested_step(serializer, name, field, many))
            continue
        if name in getattr(type(serializer), "ROW_ONE", {}) and not prefix:
            steps.append(_nested_step(serializer, name, field, many, one=True))
            continue
        if field.source == "*" or not field.source:
            raise _Unplannable(name)
        path = field.source.split(".")
        if path[-1] == "code" and _is_country(model, path[:-1]):
            path = path[:-1]  # a country is stored as its code
        try:
            model_field = _model_field(model, path)
        except FieldDoesNotExist:
            raise _Unplannable(name) from None
        column = prefix + "__".join(path)
        hidden = None if prefix else getattr(type(serializer), "ROW_HIDDEN", {}).get(name)
        step = _step(name, field, model_field, column, columns, many, prefix, hidden=hidden)
        steps.append(step if hidden is None else _hidden_step(name, hidden, step))

    def shape(row: Row, related: dict) -> dict:
        out: dict = {}
        for step in steps:
            step(row, related, out)
        return out

    return shape


def _method_step(serializer, name: str, prefix: str, columns: list[str], many: list):
    """A method field the serializer also gives as a function of columns, in ROW_FIELDS:
    {name: ((column, ...), function of their values)}."""
    declared = getattr(type(serializer), "ROW_FIELDS", {}).get(name)
    if declared is None:
        raise _Unplannable(name)
    names, function = declared
    read = [prefix + column for column in names]
    columns.extend(read)
    if isinstance(function, PerPage):
        # Keyed by the PerPage itself: made once a page, whichever field reads it.
        if all(known is not function for known, _make in many):
            many.append((function, function))

        def take_made(row, related, out):
            out[name] = related[function](*(row[column] for column in read))

        return take_made

    def take_method(row, related, out):
        out[name] = function(*(row[column] for column in read))

    return take_method


def _page_step(serializer, name: str, many: list):
    """A method field the serializer works out for a whole page, in ROW_PAGE: {name:
    (reader, key)}, the reader a function of the page's row ids giving {row id: {key:
    value}} for every id. Fields that name the same reader are read together, once."""
    reader, key = type(serializer).ROW_PAGE[name]
    if all(known is not reader for known, _read in many):
        many.append((reader, reader))

    def take_worked_out(row, related, out):
        out[name] = related[reader][row["pk"]][key]

    return take_worked_out


def _nested_step(serializer, name: str, field, many: list, *, one: bool = False):
    declared = getattr(type(serializer), "ROW_ONE" if one else "ROW_MANY", {}).get(name)
    if declared is None:
        raise _Unplannable(name)
    owner, queryset = declared
    item = field if one else field.child
    if one and not isinstance(item, serializers.Serializer):
        raise _Unplannable(name)
    plan = _plan(type(item), item)
    # A nested item's rows are shaped without the page's context: one that hides a
    # column (ROW_HIDDEN) keeps DRF's path, which hides it from the context.
    if plan is None or plan.reads_related or plan.reads_context:
        raise _Unplannable(name)
    many.append((name, (_nested_one_of if one else _nested_of)(owner, queryset, plan)))

    def take_nested_list(row, related, out):
        out[name] = related[name][row["pk"]]

    return take_nested_list


def _hidden_step(name: str, key: str, shown: Callable[[Row, dict, dict], None]):
    """A ROW_HIDDEN field: its value where the row's id is in the context's `key`, else
    null."""

    def take_if_shown(row, related, out):
        if row["pk"] in related[_CONTEXT].get(key, ()):
            shown(row, related, out)
        else:
            out[name] = None

    return take_if_shown


def _writes_iso(field: serializers.Field, default: object) -> bool:
    """Whether the field writes its values in ISO 8601, by its own format or DRF's."""
    output_format = getattr(field, "format", default)
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


def _step(name, field, model_field, column, columns, many, prefix, *, hidden=None):
    kind = type(field)
    if hidden is not None:
        # The field's own class only decides whether the value is shown (what the
        # step above does): its value is written as its nearest known kind writes it.
        known: type[serializers.Field] = next(
            (known for known in kind.__mro__ if known in _AS_STORED), kind
        )
        if kind.to_representation is not known.to_representation:
            raise _Unplannable(name)
        kind = known
    if isinstance(field, relations.ManyRelatedField):
        child = field.child_relation
        if prefix or type(child) is not relations.PrimaryKeyRelatedField or child.pk_field:
            raise _Unplannable(name)
        if not (model_field.many_to_many and model_field.concrete):
            raise _Unplannable(name)
        if not _integer_pairs(model_field):
            raise _Unplannable(name)
        many.append((name, lambda ids, field=model_field: many_to_many_ids(field, ids)))

        def take_many(row, related, out):
            out[name] = related[name][row["pk"]]

        return take_many
    if model_field.many_to_many or model_field.one_to_many:
        raise _Unplannable(name)
    if isinstance(field, serializers.BaseSerializer):
        if isinstance(field, serializers.ListSerializer) or not model_field.is_relation:
            raise _Unplannable(name)
        columns.append(column)  # the foreign key: null means no object
        nested = _compile(field, model_field.related_model, column + "__", columns, many)

        def take_nested(row, related, out):
            out[name] = None if row[column] is None else nested(row, related)

        return take_nested
    columns.append(column)
    if kind is relations.PrimaryKeyRelatedField:
        if field.pk_field is not None or not model_field.is_relation:
            raise _Unplannable(name)
    elif model_field.is_relation:
        # A whole number read from a foreign key's own column (source="approved_for_id")
        # is the stored id, as long as the key is a whole number. Any other relation (a
        # generic one has no column of its own) keeps DRF's path.
        if not (
            kind is serializers.IntegerField
            and isinstance(model_field, ForeignKey)
            and column.rsplit("__", 1)[-1] == model_field.attname
            and model_field.target_field.get_internal_type() in _WHOLE
        ):
            raise _Unplannable(name)
    elif kind in _AS_STORED:
        types = _AS_STORED[kind]
        if types is not None and model_field.get_internal_type() not in types:
            raise _Unplannable(name)
        if getattr(field, "binary", False):
            raise _Unplannable(name)
    elif type(field) is UTCDateTimeField and field.writes_utc_iso:
        convert = field.to_representation

        def take_moment(row, related, out):
            # A moment in UTC, as both databases give them, is handed to the renderer
            # as it is: orjson writes it as utc_iso would (the renderer's OPT_UTC_Z), in
            # C. Anything else is written here as the field writes it.
            value = row[column]
            if value is None or (type(value) is dt.datetime and value.tzinfo is dt.UTC):
                out[name] = value
            else:
                out[name] = convert(value)

        return take_moment
    elif type(field) is serializers.DateField and _writes_iso(field, api_settings.DATE_FORMAT):
        convert = field.to_representation

        def take_day(row, related, out):
            # A date, likewise: orjson writes it as its isoformat(), which is what the
            # field writes.
            value = row[column]
            out[name] = value if type(value) is dt.date else convert(value)

        return take_day
    elif isinstance(field, _CONVERTED):
        convert = field.to_representation  # the field's own, subclasses' included

        def take_converted(row, related, out):
            value = row[column]
            out[name] = None if value is None else convert(value)

        return take_converted
    else:
        raise _Unplannable(name)

    def take(row, related, out):
        out[name] = row[column]

    return take


@cache
def plan_for(serializer_class: type[serializers.BaseSerializer]) -> RowPlan | None:
    """The serializer's plan, or None when its output needs model instances."""
    return _plan(serializer_class, serializer_class())


def _plan(serializer_class, serializer) -> RowPlan | None:
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if model is None:
        return None
    columns: list[str] = ["pk"]
    many: list = []
    try:
        shape = _compile(serializer, model, "", columns, many)
    except _Unplannable:
        return None
    hidden = set(getattr(serializer_class, "ROW_HIDDEN", {})) & set(serializer.fields)
    return RowPlan(model, list(dict.fromkeys(columns)), shape, many, reads_context=bool(hidden))
