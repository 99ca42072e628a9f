"""A query written as SQL that a member's every request runs (their grants), prepared once
per PostgreSQL session and then run by name.

PostgreSQL parses, analyses and plans a statement each time it is sent: for the grants
query (a UNION over guardian's tables) that was about 0.3 of its 0.5 ms, the largest part
of what a member agency's request costs more than the secretariat's. A prepared
statement (PREPARE, then EXECUTE) is parsed once, and after a few runs PostgreSQL keeps
one plan for it when that plan is as good as planning anew. SQLite, which plans in
microseconds, runs the SQL as it is.

Prepared statements belong to the database session, so which ones are prepared is kept
per driver connection (psycopg2's connection object, one per session), weakly: a new
session is a new object with none, whatever opened it (Django reconnecting after its
CONN_MAX_AGE of a minute, a broken connection, a pool handing a session out again), and
an object's entry goes with it. PostgreSQL keeps a statement through a rolled back
transaction. A connection pooler in front of PostgreSQL must therefore keep a server
session per client connection (PgBouncer's session mode, not its transaction mode):
docker-compose connects straight to PostgreSQL.
"""

import re
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from django.db.backends.utils import CursorWrapper

# {driver connection: {SQL: (statement name, its values' names in order)}}
_PREPARED: WeakKeyDictionary[Any, dict[str, tuple[str, list[str]]]] = WeakKeyDictionary()
_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")


def execute_prepared(
    cursor: CursorWrapper, sql: str, params: Mapping[str, Any], types: Mapping[str, str]
) -> None:
    """Run `sql` (its values as %(name)s, no other % in it) with `params` on `cursor` (one
    of Django's, from `connection.cursor()`): on PostgreSQL as a statement prepared on the
    cursor's connection at its first run there, with each value's SQL type from `types`
    (e.g. "integer", "text"); elsewhere as it is."""
    # The cursor's own connection, this thread's (`django.db.connection` is a proxy
    # that all threads share), and under it the driver's connection, the session.
    connection = cursor.db
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    session = connection.connection
    prepared = _PREPARED.get(session)
    if prepared is None:
        prepared = _PREPARED[session] = {}
    if sql not in prepared:
        order = list(dict.fromkeys(_NAMED_PARAMETER.findall(sql)))
        positional = _NAMED_PARAMETER.sub(lambda match: f"${order.index(match[1]) + 1}", sql)
        name = f"tansiq_prepared_{len(prepared)}"
        declared = ", ".join(types[parameter] for parameter in order)
        # Part of the session's setup, as Django's own (its time zone) is: sent on the
        # driver's cursor, so a request's query log and counts hold its EXECUTE only,
        # whichever request happens to come first on the session. Django's check for a
        # transaction that must be rolled back first, as its cursor would make it.
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            cursor.cursor.execute(f"PREPARE {name} ({declared}) AS {positional}")
        prepared[sql] = (name, order)
    name, order = prepared[sql]
    placeholders = ", ".join(["%s"] * len(order))
    cursor.execute(f"EXECUTE {name} ({placeholders})", [params[key] for key in order])
