"""The SQLite backend keeps the planner's statistics: without them a list ordered across
tables sorts every row instead of walking an index to its first page."""

import sqlite3

import pytest
from django.db.utils import ConnectionHandler


def _wrapper(path):
    """A connection of portal/sqlite3's own to a file of the test's, whatever database
    the suite runs on."""
    handler = ConnectionHandler(
        {
            "default": {"ENGINE": "portal.sqlite3", "NAME": str(path)},
            "statistics": {"ENGINE": "portal.sqlite3", "NAME": str(path)},
        }
    )
    return handler.create_connection("statistics")


def _statistics(path) -> list[tuple]:
    with sqlite3.connect(path) as reader:
        if not reader.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return []
        return reader.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()


@pytest.mark.django_db
def test_closing_a_connection_keeps_statistics_for_the_indexes_its_queries_used(tmp_path):
    path = tmp_path / "planned.sqlite3"
    database = _wrapper(path)
    with database.cursor() as cursor:
        cursor.execute("CREATE TABLE meeting (id INTEGER PRIMARY KEY, start_at TEXT)")
        cursor.execute("CREATE INDEX meeting_start ON meeting (start_at, id)")
        cursor.executemany(
            "INSERT INTO meeting (start_at) VALUES (%s)",
            [(f"2026-{n % 12 + 1:02}",) for n in range(500)],
        )
    assert _statistics(path) == []

    with database.cursor() as cursor:
        cursor.execute("SELECT id FROM meeting WHERE start_at = %s", ["2026-03"])
        cursor.fetchall()
    database.close()

    assert ("meeting", "meeting_start") in _statistics(path)


@pytest.mark.django_db
def test_a_connection_closed_inside_a_transaction_leaves_the_statistics_alone(tmp_path):
    path = tmp_path / "unplanned.sqlite3"
    database = _wrapper(path)
    with database.cursor() as cursor:
        cursor.execute("CREATE TABLE meeting (id INTEGER PRIMARY KEY, start_at TEXT)")
        cursor.execute("CREATE INDEX meeting_start ON meeting (start_at, id)")
        cursor.execute("SELECT id FROM meeting WHERE start_at = %s", ["2026-03"])
    database.in_atomic_block = True  # as when closed by an error inside atomic()
    database._close()
    database.connection = None

    assert _statistics(path) == []
