"""A remembered funnel's conditions are compiled once (portal.compiled.
ConditionCompiledOnce): every way the views use a funnel's copy, and more, sends the
SQL the funnel built anew sends and reads the same rows, from the first ask and from
what was kept; a copy asked again compiles none of the funnel's conditions; the time
zone a condition is compiled in is part of what is kept."""

from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.sql.where import WhereNode
from django.test.utils import CaptureQueriesContext

from portal.compiled import ConditionCompiledOnce
from tests.api.test_funnels_remembered import REMEMBERED
from tests.series import monthly_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind(cast, world):
    """A row of every funnel's kind: the shared world has no series, written procedure
    or minutes comment."""
    import datetime as dt

    from django.utils import timezone

    from decisions.services import procedure_create
    from meetings.models import Minutes, MinutesComment

    for group in (cast.mwg, cast.health):
        monthly_series(group, title=f"Monthly {group.name}", count=3)
        procedure_create(
            group=group,
            title=f"Silence procedure of {group.name}",
            text="Adopt the plan.",
            deadline=timezone.now() + dt.timedelta(days=10),
            by=None,
        )
    for minutes in Minutes.objects.all():
        MinutesComment.objects.create(
            minutes=minutes,
            version=1,
            body="Say who agreed.",
            organisation=cast.moh,
            author=cast.member,
        )
    return world


@pytest.fixture(autouse=True)
def _nothing_remembered():
    for funnel in REMEMBERED:
        funnel.forget()
    yield
    for funnel in REMEMBERED:
        funnel.forget()


def _request_user(user) -> User:
    return User.objects.get(pk=user.pk)


def _pks(queryset) -> list:
    return sorted(queryset.values_list("pk", flat=True))


def _uses(model, some_pk):
    """How the views and selectors use a funnel, and more: filtered, ordered and cut,
    counted, with joins added, inside another query, combined either side, excluded,
    in a union, updated."""
    one = model.objects.filter(pk=some_pk)
    return {
        "as it is": lambda funnel: _pks(funnel),
        "filtered": lambda funnel: _pks(funnel.filter(pk__gte=some_pk)),
        "ordered and cut": lambda funnel: list(
            funnel.order_by("-pk").values_list("pk", flat=True)[:3]
        ),
        "counted": lambda funnel: (funnel.count(), funnel.exists(), funnel.distinct().count()),
        "with joins": lambda funnel: sorted(row.pk for row in funnel.select_related()),
        "as a subquery": lambda funnel: _pks(model.objects.filter(pk__in=funnel)),
        "two levels down": lambda funnel: _pks(
            model.objects.filter(pk__in=model.objects.filter(pk__in=funnel))
        ),
        "asked to exist": lambda funnel: _pks(
            model.objects.filter(Exists(funnel.filter(pk=OuterRef("pk"))))
        ),
        "excluded": lambda funnel: _pks(model.objects.exclude(pk__in=funnel)),
        "combined, left": lambda funnel: _pks(funnel | one),
        "combined, right": lambda funnel: _pks(one | funnel),
        "narrowed": lambda funnel: _pks(funnel & model.objects.filter(pk__lte=some_pk)),
        "either, not both": lambda funnel: _pks(funnel ^ one),
        "in a union": lambda funnel: sorted(
            funnel.order_by()
            .values_list("pk", flat=True)
            .union(one.order_by().values_list("pk", flat=True))
        ),
        "updated": lambda funnel: _rolled_back(
            lambda: funnel.update(**{model._meta.pk.attname: F(model._meta.pk.attname)})
        ),
    }


class _RolledBack(Exception):
    pass


def _rolled_back(change):
    try:
        with transaction.atomic():
            raise _RolledBack(change())
    except _RolledBack as done:
        return done.args[0]


def _uncached(funnel, user):
    """The funnel built anew and shaped as a kept one, its conditions compiled at every
    ask: what a kept copy must send, byte for byte."""
    queryset = ConditionCompiledOnce.kept_in(funnel.__wrapped__(_request_user(user)))
    (node,) = queryset.query.where.children
    node._kept = None
    return queryset


def _sent(use, queryset):
    """What `use` gives for `queryset`, and the SQL it sent."""
    with CaptureQueriesContext(connection) as queries:
        result = use(queryset)
    return result, [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]


@pytest.mark.parametrize("persona", ["member", "observer", "chair"])
@pytest.mark.parametrize("funnel", REMEMBERED, ids=lambda funnel: funnel.__name__)
def test_every_use_of_a_kept_funnel_sends_what_the_funnel_itself_sends(
    cast, every_kind, persona, funnel
):
    user = cast.user(persona)
    model = funnel.__wrapped__(_request_user(user)).model
    every_pk = sorted(model.objects.values_list("pk", flat=True))
    assert every_pk, model
    some_pk = every_pk[len(every_pk) // 2]
    # Kept, the funnel's conditions sit in a WHERE of their own: the rows are the same.
    visible = _pks(funnel.__wrapped__(_request_user(user)))
    assert _pks(funnel(_request_user(user))) == visible
    for name, use in _uses(model, some_pk).items():
        expected = _sent(use, _uncached(funnel, user))
        # A funnel that shows nothing (none()) sends nothing for most uses.
        assert expected[1] or not visible, name
        # Asked three times: built and kept, then from what was kept (twice, so that
        # a copy spoilt by the use before would show).
        for ask in range(3):
            assert _sent(use, funnel(_request_user(user))) == expected, (name, ask)


def _kept_node(queryset) -> ConditionCompiledOnce:
    (node,) = queryset.query.where.children
    assert isinstance(node, ConditionCompiledOnce)
    return node


def test_a_copy_asked_again_compiles_none_of_the_funnels_conditions(cast, world):
    from meetings.permissions import decisions_visible_to

    user = cast.member
    compiled = []
    real = WhereNode.as_sql

    def counting(node, compiler, connection):
        compiled.append(node)
        return real(node, compiler, connection)

    with mock.patch.object(WhereNode, "as_sql", counting):
        first = decisions_visible_to(_request_user(user))
        sql = str(first.query)
        kept = _kept_node(first)
        conditions = [node for node in compiled if isinstance(node, ConditionCompiledOnce)]
        assert conditions, "the funnel's conditions were compiled the first time"
        compiled.clear()

        again = decisions_visible_to(_request_user(user))
        assert str(again.query) == sql
        assert _kept_node(again)._kept is kept._kept
        assert not [node for node in compiled if isinstance(node, ConditionCompiledOnce)]
        # Only the WHERE around them, and the subqueries' own, were compiled.
        assert len(compiled) < len(conditions) + 3


def test_a_copy_shares_the_funnels_conditions_until_its_aliases_change(cast, world):
    from meetings.models import Decision
    from meetings.permissions import decisions_visible_to

    user = cast.member
    kept = _kept_node(decisions_visible_to(_request_user(user)))
    under = [node for node in _nodes(kept) if isinstance(node, WhereNode)][1:]
    assert under, "the member's funnel has conditions under its kept node"
    copied = []
    real = WhereNode.clone

    def counting(node):
        copied.append(node)
        return real(node)

    with mock.patch.object(WhereNode, "clone", counting):
        # A list's steps (filter, order, values, slice) each copy the query.
        copy = decisions_visible_to(_request_user(user)).filter(pk__gt=0).order_by("-pk")
        list(copy.values_list("pk", flat=True)[:5])
        (in_copy,) = [
            node for node in copy.query.where.children if isinstance(node, ConditionCompiledOnce)
        ]
        assert all(
            mine is theirs for mine, theirs in zip(in_copy.children, kept.children, strict=True)
        )
        assert not [node for node in copied if any(node is inner for inner in under)]

        # Inside another query its aliases change: it copies them then, and the
        # funnel's own are left as they were.
        list(Decision.objects.filter(pk__in=decisions_visible_to(_request_user(user))))
        assert [node for node in copied if any(node is inner for inner in under)]
    # The conditions the funnel's copies share, compiled anew (not from what was kept),
    # are as the subquery found them.
    again = decisions_visible_to(_request_user(user))
    _kept_node(again)._kept = None
    assert str(again.query) == str(_uncached(decisions_visible_to, user).query)


def _nodes(node):
    """Every node under `node`, subqueries' WHEREs included."""
    yield node
    for child in getattr(node, "children", ()):
        yield from _nodes(child)
    for side in ("lhs", "rhs"):
        inner = getattr(node, side, None)
        query = getattr(inner, "query", inner)
        if hasattr(query, "where"):
            yield from _nodes(query.where)


def test_a_copy_whose_aliases_change_stops_sharing_what_was_kept(cast, world):
    from meetings.models import Decision
    from meetings.permissions import decisions_visible_to

    user = cast.member
    funnel = decisions_visible_to(_request_user(user))
    str(funnel.query)
    kept = _kept_node(funnel)._kept
    assert kept

    inner = Decision.objects.filter(pk__in=decisions_visible_to(_request_user(user)))
    str(inner.query)
    inside = [node for node in _nodes(inner.query.where) if isinstance(node, ConditionCompiledOnce)]
    assert inside, "the funnel's conditions are inside the query"
    assert all(node._kept is not kept for node in inside)
    # What the funnel keeps is what it kept before: the subquery wrote its own SQL.
    assert str(decisions_visible_to(_request_user(user)).query) == str(funnel.query)


def test_a_condition_keeps_a_bounded_number_of_compilations(cast, world):
    from meetings.permissions import meetings_visible_to

    user = cast.member
    funnel = meetings_visible_to(_request_user(user))
    kept = _kept_node(funnel)._kept
    relations = ["group", "series", "group__parent", "minutes"]
    for count in range(1, len(relations) + 1):
        copy = meetings_visible_to(_request_user(user)).select_related(*relations[:count])
        for ordering in ("pk", "-pk", "title"):
            list(copy.order_by(ordering)[:1])
    assert 1 < len(kept) <= ConditionCompiledOnce.KEPT


def test_the_secretariats_funnel_is_no_condition_and_keeps_nothing(cast, world):
    from meetings.permissions import meetings_visible_to

    funnel = meetings_visible_to(_request_user(cast.secretariat))
    assert not funnel.query.where.children
    assert connection.vendor  # compiled against the test database without a condition
    assert list(funnel) == list(funnel.model.objects.all())


def test_a_condition_is_kept_per_time_zone(cast, world):
    from django.utils import timezone

    from meetings.models import Meeting

    day = timezone.localdate()
    kept = ConditionCompiledOnce.kept_in(Meeting.objects.filter(start_at__date__gte=day))

    def sent(zone):
        with timezone.override(zone):
            copy, fresh = kept.all(), Meeting.objects.filter(start_at__date__gte=day)
            return copy.query.sql_with_params()[1], fresh.query.sql_with_params()[1]

    for zone in ("Asia/Tokyo", "Pacific/Honolulu", "Asia/Tokyo"):
        params, expected = sent(zone)
        assert zone in params
        assert params == expected
