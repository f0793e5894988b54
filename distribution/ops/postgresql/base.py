"""Django's PostgreSQL backend, telling ``distribution.ops.signals`` when a transaction commits or
rolls back (settings use it as ``ENGINE``; nothing else differs).

Why: audit log lines must appear only for actions that committed. ``transaction.on_commit``
per audit row would do it, but every test that counts a service's after-commit callbacks
(emails, task kicks) would then count ours too; these hooks cost no query and no callback.
Savepoint rollbacks drop the lines buffered inside them, exactly as Django drops on-commit
callbacks (``savepoint_ids`` at buffering time).
"""

from __future__ import annotations

from django.db.backends.postgresql import base


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
