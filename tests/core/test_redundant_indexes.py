"""The write-heavy tables carry no index the platform does not read (distribution/core/indexes.py).

Each lookup the dropped indexes served is still served: by the plain index of the same column,
or by a composite index that leads with it.
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

DROPPED_TWINS = [
    ("procurement_purchaseorder", "number"),
    ("procurement_purchaseorder", "status"),
    ("settlement_journaltransaction", "idempotency_key"),
    ("settlement_journaltransaction", "kind"),
    ("settlement_journaltransaction", "reference"),
    ("settlement_escrowhold", "reference"),
    ("accounts_notification", "kind"),
    ("core_auditevent", "action"),
]


def _indexes(table: str) -> list[tuple[list[str], str]]:
    """(columns, operator class of the first column) of each index on ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(a.attname ORDER BY k.n), (SELECT o.opcname FROM pg_opclass o WHERE o.oid = x.indclass[0]) "
            "FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
            "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "WHERE t.relname = %s GROUP BY x.indexrelid, x.indclass",
            [table],
        )
        return [(list(columns), opclass) for columns, opclass in cursor.fetchall()]


@pytest.mark.parametrize(("table", "column"), DROPPED_TWINS)
def test_no_pattern_ops_twin_but_the_plain_index_stays(table, column):
    indexes = _indexes(table)
    assert ([column], "varchar_pattern_ops") not in indexes
    assert any(columns[0] == column and opclass != "varchar_pattern_ops" for columns, opclass in indexes)


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("procurement_purchaseorder", "reseller_id"),
        ("procurement_purchaseorder", "supplier_id"),
        ("settlement_journalentry", "transaction_id"),
        ("settlement_journalentry", "account_id"),
        ("accounts_notification", "user_id"),
        ("settlement_escrowhold", "payer_id"),
        ("settlement_escrowhold", "payee_id"),
    ],
)
def test_each_foreign_key_is_indexed_once(table, column):
    leading = [columns for columns, _opclass in _indexes(table) if columns[0] == column]
    assert leading, f"{table}.{column} lost its index"
    assert leading.count([column]) <= 1, f"{table}.{column} has the same index twice"
    if len(leading) > 1:
        assert [column] not in leading, f"{table}.{column} has its own index beside a composite one leading with it"
