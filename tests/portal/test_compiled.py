"""portal.compiled: a query compiled once per connection reads what the ORM reads."""

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.utils import timezone

from members.models import Person
from portal.compiled import CompiledForIds, CompiledOnce
from portal.lookups import ids_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = -918_273


def _user_with_person() -> CompiledOnce:
    return CompiledOnce(
        lambda user_id: User.objects.select_related("person").filter(pk=user_id), PLACEHOLDER
    )


def _columns(instance) -> list:
    return [getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields]


def test_an_instance_and_its_relation_read_as_the_orm_reads_them(cast, django_assert_num_queries):
    query = _user_with_person()
    with django_assert_num_queries(1):
        user = query.first(cast.member.pk)
        person = user.person
    expected = User.objects.select_related("person").get(pk=cast.member.pk)

    assert _columns(user) == _columns(expected)
    assert _columns(person) == _columns(expected.person)
    assert person.full_name == cast.member_person.full_name
    assert person.user is user
    assert timezone.is_aware(user.date_joined)
    assert not user._state.adding
    assert user._state.db == "default"


def test_a_missing_relation_is_known_missing_without_a_query(django_assert_num_queries):
    lonely = UserFactory()
    user = _user_with_person().first(lonely.pk)
    assert user == lonely
    with django_assert_num_queries(0), pytest.raises(Person.DoesNotExist):
        user.person  # noqa: B018


def test_no_row_is_none(cast):
    assert _user_with_person().first(cast.member.pk + 10_000) is None


def test_values_list_rows_come_through_the_database_converters(client, cast):
    client.force_login(cast.member)
    key = client.cookies["sessionid"].value
    query = CompiledOnce(
        lambda session_key: Session.objects.filter(session_key=session_key).values_list(
            "session_data", "expire_date"
        ),
        "compiled-once-test-key",
    )

    row = query.first(key)

    assert row == tuple(Session.objects.values_list("session_data", "expire_date").get(pk=key))
    assert timezone.is_aware(row[1])


def test_the_query_is_built_once_per_connection_and_run_with_each_value(
    cast, django_assert_num_queries
):
    built = []

    def build(user_id):
        built.append(user_id)
        return User.objects.filter(pk=user_id)

    query = CompiledOnce(build, PLACEHOLDER)
    with django_assert_num_queries(2):
        assert query.first(cast.member.pk) == cast.member
        assert query.first(cast.observer.pk) == cast.observer
    assert built == [PLACEHOLDER]


def test_a_placeholder_that_is_not_the_query_s_one_value_is_refused(cast):
    absent = CompiledOnce(lambda user_id: User.objects.filter(pk=1), PLACEHOLDER)
    with pytest.raises(ValueError, match="placeholder"):
        absent.first(cast.member.pk)

    twice = CompiledOnce(
        lambda user_id: User.objects.filter(pk=user_id) | User.objects.filter(pk=user_id),
        PLACEHOLDER,
    )
    with pytest.raises(ValueError, match="placeholder"):
        twice.first(cast.member.pk)


def test_only_instances_and_value_list_rows_are_read(cast):
    dictionaries = CompiledOnce(lambda user_id: User.objects.filter(pk=user_id).values(), 1)
    with pytest.raises(TypeError, match="values_list"):
        dictionaries.first(cast.member.pk)


# --- CompiledForIds: a page's rows in another table, compiled once per number of ids ---


def _people_of(organisation_ids):
    return (
        Person.objects.filter(ids_in("organisation", organisation_ids))
        .order_by("full_name", "pk")
        .values("organisation", "pk", "full_name", "created_at")
    )


def test_rows_for_ids_are_the_orms_values_rows_each_time(cast):
    query = CompiledForIds(_people_of)
    pages = [
        [cast.moh.pk, cast.embassy.pk],
        [cast.embassy.pk, cast.moh.pk],
        [cast.moh.pk, cast.moh.pk + 10_000],  # one with nobody
        [cast.moh.pk],
    ]

    for ids in pages:
        rows = query.rows(ids)
        assert rows == list(_people_of(ids))
        assert rows
        assert all(timezone.is_aware(row["created_at"]) for row in rows)

    assert query.rows([]) == []


def test_rows_for_ids_are_compiled_once_per_number_of_ids(cast, monkeypatch):
    built = []
    query = CompiledForIds(lambda ids: built.append(len(ids)) or _people_of(ids))

    for ids in ([cast.moh.pk, cast.embassy.pk], [cast.embassy.pk, cast.moh.pk], [cast.moh.pk]):
        query.rows(ids)
    assert built == [2, 1]

    monkeypatch.setattr(CompiledForIds, "KEPT", 0)
    other = CompiledForIds(lambda ids: built.append(len(ids)) or _people_of(ids))
    other.rows([cast.moh.pk])
    other.rows([cast.moh.pk])
    assert built == [2, 1, 1, 1]  # beyond what is kept, compiled each time


def test_rows_for_ids_keep_the_querys_own_values_and_refuse_a_query_without_the_ids(cast):
    named = CompiledForIds(lambda ids: _people_of(ids).filter(full_name="Amina Health"))
    ids = [cast.moh.pk, cast.embassy.pk]
    assert named.rows(ids) == list(_people_of(ids).filter(full_name="Amina Health"))
    assert [row["full_name"] for row in named.rows(ids)] == ["Amina Health"]

    # A union asks the ids in each branch.
    def both(ids):
        first = _people_of(ids).filter(full_name="Amina Health").order_by()
        return first.union(_people_of(ids).exclude(full_name="Amina Health").order_by(), all=True)

    assert sorted(CompiledForIds(both).rows(ids), key=lambda row: row["pk"]) == sorted(
        _people_of(ids), key=lambda row: row["pk"]
    )

    everyone = CompiledForIds(lambda ids: Person.objects.values("pk"))
    with pytest.raises(ValueError, match="the ids must stand in the query"):
        everyone.rows(ids)
    not_rows = CompiledForIds(lambda ids: Person.objects.filter(ids_in("organisation", ids)))
    with pytest.raises(TypeError, match="values"):
        not_rows.rows([cast.moh.pk])


def test_rows_for_ids_are_kept_per_time_zone_and_language(cast):
    from django.utils import translation

    built = []
    query = CompiledForIds(lambda ids: built.append(len(ids)) or _people_of(ids))
    ids = [cast.moh.pk]

    query.rows(ids)
    with timezone.override("Europe/Paris"):
        query.rows(ids)
    with translation.override("ar"):
        query.rows(ids)
    query.rows(ids)

    assert built == [1, 1, 1]


def test_rows_for_ids_of_a_query_that_can_match_nothing_are_none(cast):
    nothing = CompiledForIds(lambda ids: _people_of(ids).filter(pk__in=[]))
    assert nothing.rows([cast.moh.pk, cast.embassy.pk]) == []


def test_the_converters_are_worked_out_once_and_still_applied(cast, monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    from groups.models import CoordinationGroup
    from groups.services import group_update

    group_update(group=cast.mwg, reminder_days=[7, 1], by=cast.secretariat)
    worked_out = []
    get_converters = SQLCompiler.get_converters
    monkeypatch.setattr(
        SQLCompiler,
        "get_converters",
        lambda compiler, expressions: worked_out.append(1) or get_converters(compiler, expressions),
    )
    user_query = _user_with_person()
    groups_query = CompiledForIds(
        lambda ids: CoordinationGroup.objects.filter(ids_in("pk", ids)).values(
            "pk", "reminder_days", "created_at"
        )
    )

    for _run in range(3):
        user = user_query.first(cast.member.pk)
        rows = groups_query.rows([cast.mwg.pk, cast.health.pk])
        assert timezone.is_aware(user.date_joined)
        by_pk = {row["pk"]: row for row in rows}
        assert by_pk[cast.mwg.pk]["reminder_days"] == [7, 1]  # JSON, by the field's converter
        assert timezone.is_aware(by_pk[cast.health.pk]["created_at"])

    assert len(worked_out) == 2  # once per query, at its compilation
