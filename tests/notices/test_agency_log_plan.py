"""An agency's delivery log (its people's e-mails and its endpoints' webhook calls,
newest first) is read by index on SQLite, with statistics taken while the log holds
e-mails alone: the endpoint's own index then holds every notice under null, and SQLite
takes an endpoint to have as many notices as the log, so without the index of the
webhook calls alone (Notice.Meta.indexes) it read the log whole, in order (183 ms at
the benchmark's 200,000 notices).

Planned on a SQLite file of the test's own, whichever database the suite runs on
(PostgreSQL keeps the share of nulls apart and reads both indexes anyway)."""

import pytest
from django.apps import apps
from django.test import override_settings

from notices.models import Notice
from notices.permissions import notices_visible_to
from notices.services import webhook_endpoint_register
from tests.notices.test_failed_count_plan import _log_of_sent_notices

pytestmark = pytest.mark.django_db


def _agency_log_plan(database, user) -> str:
    log = notices_visible_to(user).order_by("-created_at", "-id").values("pk")[:101]
    sql, params = log.query.get_compiler(connection=database).as_sql()
    # The tables the query joins, empty: the plan is the log's.
    joined = {model for model in apps.get_models() if f'"{model._meta.db_table}"' in sql}
    editor = database.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # the tables' own indexes and constraints are not needed
    with database.cursor() as cursor:
        for model in joined - {Notice}:
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
