"""A query written as SQL that a member's every request runs (their grants), prepared once
per PostgreSQL session and then run by name.

PostgreSQL parses, analyses and plans a statement each time it is sent: for the grants
query (a UNION over guardian's tables) that was about 0.3 of its 0.5 ms, the largest part
of what a member agency's request costs more than the secretariat's. A prepared
statement (PREPARE, then EXECUTE) is parsed once, and after a few runs PostgreSQL keeps
one plan for it when that plan is as good as planning anew. SQLite, which plans in
microseconds, runs the SQL as it is.

Prepared statements belong to the database session, so which ones are prepared is kept on
the connection object and forgotten when Django opens a new connection
(`connection_created`); connections are kept a minute (CONN_MAX_AGE), so a statement is
prepared about once a minute per process. PostgreSQL keeps a statement through a rolled
back transaction. A connection pooler in front of PostgreSQL must therefore keep a
server session per client connection (PgBouncer's session mode, not its transaction
mode): docker-compose connects straight to PostgreSQL.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.backends.utils import CursorWrapper

_KEPT_ATTRIBUTE = "_tansiq_prepared"
_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")


def execute_prepared(
    cursor: CursorWrapper, sql: str, params: Mapping[str, Any], types: Mapping[str, str]
) -> None:
    """Run `sql` (its values as %(name)s, no other % in it) with `params` on `cursor` (one
    of Django's, from `connection.cursor()`): on PostgreSQL as a statement prepared on the
    cursor's connection at its first run there, with each value's SQL type from `types`
    (e.g. "integer", "text"); elsewhere as it is."""
    # The cursor's own connection, this thread's: `django.db.connection` is a proxy
    # that all threads share, so what is kept on it would be every thread's at once.
    connection = cursor.db
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    prepared: dict[str, tuple[str, list[str]]] = connection.__dict__.setdefault(_KEPT_ATTRIBUTE, {})
    if sql not in prepared:
        order = list(dict.fromkeys(_NAMED_PARAMETER.findall(sql)))
        positional = _NAMED_PARAMETER.sub(lambda match: f"${order.index(match[1]) + 1}", sql)
        name = f"tansiq_prepared_{len(prepared)}"
        declared = ", ".join(types[parameter] for parameter in order)
        # Part of the session's setup, as Django's own (its time zone) is: sent on the
        # driver's cursor, so a request's query log and counts hold its EXECUTE only,
        # whichever request happens to come first on the connection.
        with connection.wrap_database_errors:
            cursor.cursor.execute(f"PREPARE {name} ({declared}) AS {positional}")
        prepared[sql] = (name, order)
    name, order = prepared[sql]
    placeholders = ", ".join(["%s"] * len(order))
    cursor.execute(f"EXECUTE {name} ({placeholders})", [params[key] for key in order])


def _forget_prepared(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """A new database session holds no prepared statement. (The connection object's
    bookkeeping, not domain behaviour.)"""
    connection.__dict__.pop(_KEPT_ATTRIBUTE, None)


connection_created.connect(_forget_prepared, dispatch_uid="tansiq-forget-prepared")
