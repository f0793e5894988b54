"""Sharding readiness: stock adjustments, messages and attachments carry their tenant, the supplier
(docs/scaling.md §5): added nullable, back-filled from the parent row, then NOT NULL with a BEFORE
INSERT trigger filling it for inserts that leave it out (``distribution.core.tenancy``).
"""

import django.db.models.deletion
from django.db import migrations, models

from distribution.core.tenancy import fill_trigger_sql

FILL = [
    ("suppliers_stockadjustment", "SELECT supplier_id FROM suppliers_sku WHERE id = NEW.sku_id"),
    ("suppliers_message", "SELECT supplier_id FROM suppliers_messagethread WHERE id = NEW.thread_id"),
    ("suppliers_messageattachment", "SELECT supplier_id FROM suppliers_message WHERE id = NEW.message_id"),
]
# FK checks at once, so the ALTER TABLE … SET NOT NULL that follows finds no pending trigger events
BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE suppliers_stockadjustment c SET supplier_id = s.supplier_id FROM suppliers_sku s WHERE s.id = c.sku_id AND c.supplier_id IS NULL;
UPDATE suppliers_message c SET supplier_id = t.supplier_id FROM suppliers_messagethread t WHERE t.id = c.thread_id AND c.supplier_id IS NULL;
UPDATE suppliers_messageattachment c SET supplier_id = m.supplier_id FROM suppliers_message m WHERE m.id = c.message_id AND c.supplier_id IS NULL;
SET CONSTRAINTS ALL DEFERRED;
"""
MODELS = ("stockadjustment", "message", "messageattachment")


def _field(null: bool):
    if null:
        return models.ForeignKey(
            db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="suppliers.supplier"
        )
    return models.ForeignKey(
        db_default=None, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="suppliers.supplier"
    )


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0006_sku_sync_at")]

    operations = [
        *[migrations.AddField(model_name=model, name="supplier", field=_field(null=True)) for model in MODELS],
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        *[migrations.RunSQL(*fill_trigger_sql(table=table, column="supplier_id", source=source)) for table, source in FILL],
        *[migrations.AlterField(model_name=model, name="supplier", field=_field(null=False)) for model in MODELS],
        migrations.AddIndex(
            model_name="stockadjustment",
            index=models.Index(fields=["supplier", "sku", "created_at"], name="stock_adjustment_tenant_sku"),
        ),
    ]
