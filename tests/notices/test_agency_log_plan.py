"""An agency's delivery log (its people's e-mails and its endpoints' webhook calls,
newest first) is read by index on SQLite, with statistics taken while the log holds
e-mails alone: the endpoint's own index then holds every notice under null, and SQLite
takes an endpoint to have as many notices as the log, so without the index of the
webhook calls alone (Notice.Meta.indexes) it read the log whole, in order (183 ms at
the benchmark's 200,000 notices). The API reads it in parts, each in order from its own
index, merged as far as the page goes (portal.ordering.merged_in_order): the OR read
all of the agency's notices and sorted them.

Planned on a SQLite file of the test's own, whichever database the suite runs on
(PostgreSQL keeps the share of nulls apart and reads both indexes anyway)."""

import pytest
from django.apps import apps
from django.test import override_settings

from notices.models import Notice
from notices.permissions import notice_log_parts, notices_visible_each, notices_visible_to
from notices.selectors import notices_failed
from notices.services import webhook_endpoint_register
from portal.ordering import union_in_order
from tests.notices.test_failed_count_plan import _log_of_sent_notices

pytestmark = pytest.mark.django_db


def _agency_log_plan(database, user, *, in_parts: bool = False) -> str:
    log = notices_visible_to(user).order_by("-created_at", "-id")
    if in_parts:
        log = union_in_order(log, notice_log_parts(user), "-created_at", "-id")
    return _plan(database, log.values("pk")[:101])


def _plan(database, query) -> str:
    sql, params = query.query.get_compiler(connection=database).as_sql()
    # The tables the query joins, empty: the plan is the log's.
    joined = {model for model in apps.get_models() if f'"{model._meta.db_table}"' in sql}
    editor = database.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # the tables' own indexes and constraints are not needed
    with database.cursor() as cursor:
        made = set(database.introspection.table_names(cursor))
        for model in joined - {Notice}:
            if model._meta.db_table not in made:
                cursor.execute(*editor.table_sql(model))
    with database.cursor() as cursor:
        # The SQL is the ORM's own, compiled above; the values go as parameters.
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " / ".join(row[-1] for row in cursor.fetchall())


@pytest.fixture
def agency_with_an_endpoint(cast):
    with override_settings(WEBHOOK_ALLOW_INSECURE=True):
        webhook_endpoint_register(organisation=cast.moh, url="https://hooks.example.org/", by=None)
    return cast.member


def test_an_agencys_log_is_read_by_index_in_a_log_of_e_mails(tmp_path, agency_with_an_endpoint):
    database = _log_of_sent_notices(tmp_path / "log.sqlite3", indexes=Notice._meta.indexes)
    try:
        plan = _agency_log_plan(database, agency_with_an_endpoint)
    finally:
        database.close()

    assert "MULTI-INDEX OR" in plan, plan
    assert "notice_webhook_calls_idx" in plan, plan
    assert "SCAN notices_notice" not in plan, plan


def test_without_the_index_of_the_webhook_calls_the_whole_log_is_walked(
    tmp_path, agency_with_an_endpoint
):
    """The reason for it: the test above would pass without it otherwise."""
    others = [index for index in Notice._meta.indexes if index.name != "notice_webhook_calls_idx"]
    assert len(others) == len(Notice._meta.indexes) - 1
    database = _log_of_sent_notices(tmp_path / "log.sqlite3", indexes=others)
    try:
        plan = _agency_log_plan(database, agency_with_an_endpoint)
    finally:
        database.close()

    assert "SCAN notices_notice" in plan, plan


def test_an_agencys_log_in_parts_reads_each_in_order_and_sorts_nothing(
    tmp_path, agency_with_an_endpoint
):
    """An OR reads every notice of the agency's and sorts them all (the test above);
    its parts, each newest first from its own index, are merged as far as the page."""
    database = _log_of_sent_notices(tmp_path / "log.sqlite3", indexes=Notice._meta.indexes)
    try:
        plan = _agency_log_plan(database, agency_with_an_endpoint, in_parts=True)
        without_the_persons_index = _log_of_sent_notices(
            tmp_path / "other.sqlite3",
            indexes=[i for i in Notice._meta.indexes if i.name != "notice_person_log_idx"],
        )
        try:
            unordered = _agency_log_plan(
                without_the_persons_index, agency_with_an_endpoint, in_parts=True
            )
        finally:
            without_the_persons_index.close()
    finally:
        database.close()

    assert "MERGE (UNION ALL)" in plan, plan
    assert "notice_person_log_idx (person_id=?)" in plan, plan
    assert "notice_webhook_calls_idx (endpoint_id=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    # The person's part without its index: all their e-mails read and sorted.
    assert "TEMP B-TREE" in unordered, unordered


def test_an_agencys_failed_notices_are_read_from_the_failed_and_each_checked(
    tmp_path, agency_with_an_endpoint
):
    """The dashboard's panel: given the funnel's OR, SQLite read every notice of the
    agency's to find the failed among them; checked one by one by key, it reads the
    failed first (none here) and looks each up."""
    database = _log_of_sent_notices(tmp_path / "log.sqlite3", indexes=Notice._meta.indexes)
    try:
        each = _plan(
            database,
            notices_failed(queryset=notices_visible_each(agency_with_an_endpoint)).values("pk")[
                :10
            ],
        )
        as_one = _plan(
            database,
            notices_failed(queryset=notices_visible_to(agency_with_an_endpoint)).values("pk")[:10],
        )
    finally:
        database.close()

    assert each.startswith("SEARCH notices_notice USING INDEX"), each
    assert "(status=?)" in each.split(" / ")[0], each
    assert "USING INTEGER PRIMARY KEY (rowid=?)" in each, each  # the check, by key
    assert "MULTI-INDEX OR" not in each, each
    assert "MULTI-INDEX OR" in as_one, as_one
