"""Tenant columns of the hot tables: the BEFORE INSERT triggers that fill them from the parent row.

Every hot table carries the organisation it belongs to, its distribution column on Citus
(``docs/scaling.md`` §5): PO lines and transitions the PO's supplier, stock adjustments the
SKU's supplier, messages the thread's supplier, ledger entries the account's organisation,
webhook deliveries the endpoint's organisation, notifications the user's organisation.

The services of the hot paths set the column themselves (they have the value at hand, so it
costs no statement). Any other insert (a bulk path, raw SQL in a sweep, a benchmark loader,
code written later that does not know about the column) may leave it out: a ``BEFORE INSERT``
trigger, which runs only for rows that arrive with ``NULL`` (its ``WHEN`` clause), copies it from
the parent row; ``NOT NULL`` is checked after the trigger, so a row whose parent has no tenant
is still refused. The model fields carry ``db_default=None`` so that the ORM leaves the column
to the database when it is not set and reads the trigger's value back with ``RETURNING``.
"""

from __future__ import annotations


def fill_trigger_sql(*, table: str, column: str, source: str) -> tuple[str, str]:
    """(forward, backward) SQL of the trigger filling ``table.column`` from ``source``.

    ``source`` is one ``SELECT`` of a single value written in terms of ``NEW`` (the inserted row),
    e.g. ``SELECT supplier_id FROM procurement_purchaseorder WHERE id = NEW.purchase_order_id``.
    Names come from migrations (constants), never from input.
    """
    name = f"{table}_fill_{column}"
    forward = f"""
CREATE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    NEW.{column} := ({source});
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER {name} BEFORE INSERT ON {table}
    FOR EACH ROW WHEN (NEW.{column} IS NULL) EXECUTE FUNCTION {name}();
"""
    backward = f"DROP TRIGGER IF EXISTS {name} ON {table}; DROP FUNCTION IF EXISTS {name}();"
    return forward, backward
