"""Django's SQLite backend, keeping the query planner's statistics as SQLite advises.

Without statistics SQLite guesses every table's size alike, and for a list ordered
across tables (invitations newest meeting first) it picks the plan that sorts every
row instead of walking the meetings' index to the first page: 234 ms instead of 15 on
the benchmark's 400,000 invitations, and growing with the table. SQLite's advice is to
run `PRAGMA optimize` before closing a connection: it analyses only the tables this
connection's queries would have planned better with statistics, or that have grown
many times over since. The analysis reads whole indexes (seconds on millions of rows,
once in a long while): statistics sampled with `analysis_limit` misjudged how many
invitations a person has, and that plan took 21 s on the benchmark's 10x data.
PostgreSQL's autovacuum does the same there.
"""

import sqlite3

from django.db.backends.sqlite3 import base

# Statistics are a nicety: a connection never waits long for the write lock to keep
# them, the next connection to close will.
OPTIMIZE_BUSY_TIMEOUT_MS = 50


class DatabaseWrapper(base.DatabaseWrapper):
    def _close(self):
        if self.connection is not None and not self.in_atomic_block:
            try:
                self.connection.execute(f"PRAGMA busy_timeout={OPTIMIZE_BUSY_TIMEOUT_MS}")
                self.connection.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass  # busy or read-only: the statistics wait for another connection
        return super()._close()  # type: ignore[misc]  # private, absent from django-stubs
