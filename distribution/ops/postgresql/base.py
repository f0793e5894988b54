"""Django's PostgreSQL backend, telling ``distribution.ops.signals`` when a transaction commits or
rolls back (settings use it as ``ENGINE``; otherwise only psycopg's query-conversion cache differs,
see below).

Why: audit log lines must appear only for actions that committed. ``transaction.on_commit``
per audit row would do it, but every test that counts a service's after-commit callbacks
(emails, task kicks) would then count ours too; these hooks cost no query and no callback.
Savepoint rollbacks drop the lines buffered inside them, exactly as Django drops on-commit
callbacks (``savepoint_ids`` at buffering time).
"""

from __future__ import annotations

from django.db.backends.postgresql import base
from psycopg import _queries

# psycopg converts a statement's ``%s`` placeholders once per distinct text (an LRU cache) unless
# the text is longer than 4,096 characters or has more than 50 parameters; then it re-splits it on
# every execution. The placing guard query (one statement, its subqueries) is past that: 1.5 ms of
# app CPU per placement (cProfile). The cache stays bounded (128 texts); only the limits move.
_queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 16_384)
_queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 200)


class DatabaseWrapper(base.DatabaseWrapper):
    def commit(self):
        super().commit()
        from distribution.ops import signals

        signals.committed(self.alias)

    def rollback(self):
        super().rollback()
        from distribution.ops import signals

        signals.rolled_back(self.alias)

    def savepoint_rollback(self, sid):
        super().savepoint_rollback(sid)
        from distribution.ops import signals

        signals.rolled_back(self.alias, sid=sid)

    def close(self):
        super().close()
        from distribution.ops import signals

        signals.rolled_back(self.alias)  # an open transaction dies with its connection
