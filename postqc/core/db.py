"""The cursor of the answer hot paths: on PostgreSQL, statements prepared once per connection.

Everything the ORM runs goes to PostgreSQL with its values written into the text (Django's
client-side binding): parsed and planned at every run, and planned for those values. That is
what the reports need — a survey index or a unit table planned once for every survey and unit
would be one generic plan for very uneven data; measured on the survey benchmark's million
responses, PostgreSQL switched to its generic plan after five runs and took 17–22 s instead of
6–8 s.

The few raw statements of the answer hot paths are the other kind: the same text thousands of
times a minute, each keyed by primary keys. `hot_cursor()` runs them with server-side binding,
and psycopg prepares a statement the `DATABASE_PREPARE_THRESHOLD`-th time a pooled connection
runs it; from then on PostgreSQL neither parses nor plans it (an answer's database CPU about
halves: docs/competitions.md). `DATABASE_PREPARE=0` (a pooler in transaction mode) makes it an
ordinary cursor. On SQLite it is the ordinary cursor.

The cursor is Django's wrapper around the psycopg cursor, so errors are translated, the test
suite's statement counts see it, and it takes part in the current transaction like any other.
"""
from __future__ import annotations

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor  # psycopg is a dependency on every backend
from django.db.backends.utils import CursorWrapper


def hot_cursor() -> CursorWrapper:
    """A cursor for a hot statement (see the module docstring): `with hot_cursor() as cursor:`."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        if connection.connection.prepare_threshold is not None:  # DATABASE_PREPARE is on
            # Wrapped the way connection.cursor() wraps its own (the debug wrapper when queries are logged).
            return connection._prepare_cursor(ServerBindingCursor(connection.connection))
    return connection.cursor()
