"""The dashboard's count of failed notices is read by index on SQLite, with statistics
taken while every notice was sent: SQLite then gives the status test no selectivity,
and without the index of the failed alone (Notice.Meta.indexes), which tells its planner
the test is selective, it counted them by reading the whole log.

Planned on a SQLite file of the test's own whatever database the suite runs on
(PostgreSQL keeps statistics per value and reads the status index anyway)."""

import pytest
from django.db.models import Index

from notices.models import Notice
from notices.selectors import notices_failed
from tests.portal.test_sqlite_statistics import _wrapper

SENT = 2000


def _log_of_sent_notices(path, *, indexes: list[Index]):
    database = _wrapper(path)
    kept = Notice._meta.indexes
    Notice._meta.indexes = indexes
    try:
        with database.schema_editor(atomic=False) as editor:
            editor.create_model(Notice)
    finally:
        Notice._meta.indexes = kept
    # The log alone, without the tables its notices refer to.
    database.disable_constraint_checking()
    with database.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO notices_notice (dedup_key, kind, channel, event, person_id, "
            "payload, status, attempts, next_attempt_at, claim_token, sent_at, "
            "last_error, created_at) VALUES (%s, 'invitation', 'email', 'scheduled', "
            "%s, '{}', 'sent', 1, %s, '', %s, '', %s)",
            [
                (f"notice-{n}", n % 50 + 1, *[f"2026-01-01 00:00:{n % 60:02}"] * 3)
                for n in range(SENT)
            ],
        )
        cursor.execute("ANALYZE")
    return database


def _count_plan(database) -> str:
    failed = notices_failed(queryset=Notice.objects.all()).order_by().values("pk")
    sql, params = failed.query.get_compiler(connection=database).as_sql()
    with database.cursor() as cursor:
        # The SQL is the ORM's own, compiled above; the values go as parameters.
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql})", params)  # noqa: S608
        return " / ".join(row[-1] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_failed_are_counted_by_index_in_a_log_of_sent_notices(tmp_path):
    database = _log_of_sent_notices(tmp_path / "log.sqlite3", indexes=Notice._meta.indexes)
    try:
        plan = _count_plan(database)
    finally:
        database.close()

    assert "SCAN notices_notice" not in plan
    assert "SEARCH notices_notice USING" in plan


@pytest.mark.django_db
def test_without_the_index_of_the_failed_the_whole_log_is_read(tmp_path):
    """The reason for it: the test above would pass without it otherwise."""
    others = [index for index in Notice._meta.indexes if index.name != "notice_failed_idx"]
    assert len(others) == len(Notice._meta.indexes) - 1
    database = _log_of_sent_notices(tmp_path / "log.sqlite3", indexes=others)
    try:
        plan = _count_plan(database)
    finally:
        database.close()

    assert "SCAN notices_notice" in plan
