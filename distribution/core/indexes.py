"""Migration operations for indexes that Django makes and the platform does not read.

On PostgreSQL Django gives every indexed or unique ``CharField`` a second index with the
``varchar_pattern_ops`` operator class, which serves one kind of query only: a case-sensitive
``LIKE 'prefix%'`` (``startswith``). No query of the platform makes one on the columns these
migrations name (searches use ``icontains``, an ``UPPER(…) LIKE '%…%'`` no b-tree serves, or
exact matches, which the plain index serves). Each such twin is one more index to write on every
insert and every non-HOT update: on the tables a timer or a placement writes by the hundred
thousand (POs, journal transactions, escrow holds, audit rows, notifications) that is time paid
for nothing (benchmarks/README.md §12c).

``drop_pattern_ops_twins`` drops them by what they are (the column and the operator class), not
by name, so it works on any database; reversed, it creates them again under Django's suffix.
Django's own later ``AlterField`` of such a column drops its twin with ``IF EXISTS`` and may create
it again: drop it again in that migration.
"""

from __future__ import annotations

from django.db import migrations

__all__ = ["drop_pattern_ops_twins"]

_DROP = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT i.relname AS name
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
    JOIN pg_opclass o ON o.oid = x.indclass[0]
    WHERE t.relname = '{table}' AND a.attname = '{column}' AND x.indnatts = 1
      AND o.opcname IN ('varchar_pattern_ops', 'text_pattern_ops') AND x.indpred IS NULL
  LOOP
    EXECUTE format('DROP INDEX %I', r.name);
  END LOOP;
END $$;
"""


def drop_pattern_ops_twins(table: str, *columns: str) -> migrations.RunSQL:
    """Drop the ``varchar_pattern_ops`` twin of each of ``columns``' indexes on ``table`` (reversible)."""
    for name in (table, *columns):
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain identifier: {name!r}")
    return migrations.RunSQL(
        sql=[_DROP.format(table=table, column=column) for column in columns],
        reverse_sql=[
            f"CREATE INDEX IF NOT EXISTS {table[:40]}_{column[:16]}_like ON {table} ({column} varchar_pattern_ops)" for column in columns
        ],
    )
