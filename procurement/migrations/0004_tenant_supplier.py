"""Sharding readiness: PO lines and transitions carry their tenant, the PO's supplier (docs/scaling.md §5).

Added nullable, back-filled from the PO in one set-based UPDATE per table, then NOT NULL with a
BEFORE INSERT trigger that fills it for inserts that leave it out (``distribution.core.tenancy``).
"""

import django.db.models.deletion
from django.db import migrations, models

from distribution.core.tenancy import fill_trigger_sql

TABLES = ("procurement_purchaseorderline", "procurement_purchaseordertransition")
SOURCE = "SELECT supplier_id FROM procurement_purchaseorder WHERE id = NEW.purchase_order_id"
# FK checks at once, so the ALTER TABLE … SET NOT NULL that follows finds no pending trigger events
BACKFILL = "SET CONSTRAINTS ALL IMMEDIATE; " + " ".join(
    f"UPDATE {table} c SET supplier_id = po.supplier_id FROM procurement_purchaseorder po "
    "WHERE po.id = c.purchase_order_id AND c.supplier_id IS NULL;"
    for table in TABLES
) + " SET CONSTRAINTS ALL DEFERRED;"


def _field(null: bool):
    if null:
        return models.ForeignKey(
            db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="suppliers.supplier"
        )
    return models.ForeignKey(
        db_default=None, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="suppliers.supplier"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0003_po_consumer_ref_index"),
        ("suppliers", "0006_sku_sync_at"),
    ]

    operations = [
        migrations.AddField(model_name="purchaseorderline", name="supplier", field=_field(null=True)),
        migrations.AddField(model_name="purchaseordertransition", name="supplier", field=_field(null=True)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        *[migrations.RunSQL(*fill_trigger_sql(table=table, column="supplier_id", source=SOURCE)) for table in TABLES],
        migrations.AlterField(model_name="purchaseorderline", name="supplier", field=_field(null=False)),
        migrations.AlterField(model_name="purchaseordertransition", name="supplier", field=_field(null=False)),
    ]
