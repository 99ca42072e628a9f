"""portal.prepared: a query prepared once per PostgreSQL session and run by name there; run
as it is on SQLite. Both branches are asserted, whichever database the suite runs on
(PostgreSQL's own list of the session's statements, pg_prepared_statements, tells)."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext

from portal.prepared import execute_prepared

SQL = "SELECT %(number)s + 1, %(word)s || %(word)s"
TYPES = {"number": "integer", "word": "text"}
POSITIONAL = "SELECT $1 + 1, $2 || $2"


def _run(number: int, word: str) -> list[tuple]:
    with connection.cursor() as cursor:
        execute_prepared(cursor, SQL, {"number": number, "word": word}, TYPES)
        return [tuple(row) for row in cursor.fetchall()]


def _prepared_here() -> list[str]:
    """This session's prepared statements that are ours (none outside PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if POSITIONAL in row[0]]


def _logged(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"].split(" ", 1)[0] for query in queries.captured_queries]


@pytest.mark.django_db
def test_the_values_change_and_the_statement_is_prepared_once():
    with CaptureQueriesContext(connection) as first:
        assert _run(41, "ab") == [(42, "abab")]
    with CaptureQueriesContext(connection) as again:
        assert _run(1, "x") == [(2, "xx")]

    if connection.vendor == "postgresql":
        # One statement in the session; each run logged as its EXECUTE alone.
        assert len(_prepared_here()) == 1
        assert _logged(first) == _logged(again) == ["EXECUTE"]
    else:
        assert _prepared_here() == []
        assert _logged(first) == _logged(again) == ["SELECT"]


@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_in_a_rolled_back_transaction_is_kept():
    connection.close()  # a session that has prepared nothing yet

    class Undone(Exception):
        pass

    def undone() -> None:
        with transaction.atomic():
            assert _run(1, "a") == [(2, "aa")]
            raise Undone

    with pytest.raises(Undone):
        undone()
    assert len(_prepared_here()) == (1 if connection.vendor == "postgresql" else 0)
    assert _run(2, "b") == [(3, "bb")]


@pytest.mark.django_db(transaction=True)
def test_a_session_opened_without_djangos_signal_prepares_it_again():
    """What is prepared is kept per driver connection, not forgotten on a signal: a
    session that Django set up but whose connection_created never went out (a receiver
    that raised, its time zone query failing) must not be taken for one that has it."""
    assert _run(1, "a") == [(2, "aa")]
    before = connection.connection
    connection.connection = connection.get_new_connection(connection.get_connection_params())
    try:
        assert _run(2, "b") == [(3, "bb")]
        assert len(_prepared_here()) == (1 if connection.vendor == "postgresql" else 0)
    finally:
        connection.connection.close()
        connection.connection = before


@pytest.mark.django_db
def test_a_session_handed_out_again_keeps_its_statements():
    """connection_created sent on a session that already holds the statement (as a
    pool does when it hands a session out again): no second PREPARE of the same name."""
    assert _run(1, "a") == [(2, "aa")]
    connection_created.send(sender=type(connection), connection=connection)
    assert _run(2, "b") == [(3, "bb")]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_it_again():
    assert _run(1, "a") == [(2, "aa")]
    connection.close()
    assert _run(2, "b") == [(3, "bb")]

    assert len(_prepared_here()) == (1 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db(transaction=True)
def test_another_thread_prepares_it_on_its_own_connection():
    assert _run(1, "a") == [(2, "aa")]
    found: list = []

    def elsewhere() -> None:
        try:
            found.append((_run(5, "c"), len(_prepared_here())))
        except Exception as error:
            found.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()

    assert found == [([(6, "cc")], 1 if connection.vendor == "postgresql" else 0)]
    assert _run(7, "d") == [(8, "dd")]
