"""The index the rollup sweep finds a key's POs by: (reseller, payment moment) of the paid POs.

It lives on procurement's table but only the reports read through it (``reports.rollup``'s keyed
statements), so it is created here, by SQL, and not declared on ``PurchaseOrder``. Without it each
batch of the sweep scanned every PO (EXPLAIN at 1,000,000 POs: 0.8 s + 0.7 s for 100 keys; with it
44 ms + 24 ms).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_drop_sales_day_index"),
        ("procurement", "0007_merge_20261201_2205"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS reports_po_reseller_paid ON procurement_purchaseorder (reseller_id, paid_at) "
            "WHERE paid_at IS NOT NULL",
            "DROP INDEX IF EXISTS reports_po_reseller_paid",
        ),
    ]
