"""Sharding readiness: journal transactions and entries carry their tenant organisation (docs/scaling.md §5).

- a transaction: the PO's supplier for escrow movements (the hold's payee), the payer of a reward,
  the organisation of a withdrawal, else the organisation of its (first) wallet entry; set by the ledger's writers from now on;
- an entry: its wallet's organisation, or its transaction's for a platform account; a BEFORE INSERT
  trigger fills it for inserts that leave it out (``distribution.core.tenancy``).

The back-fill is the one UPDATE these append-only tables ever see: their refuse-change triggers
(0002) are disabled for it and enabled again in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

from distribution.core.tenancy import fill_trigger_sql

BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE settlement_journaltransaction DISABLE TRIGGER settlement_journaltransaction_append_only;
ALTER TABLE settlement_journalentry DISABLE TRIGGER settlement_journalentry_append_only;
UPDATE settlement_journaltransaction t SET organisation_id = COALESCE(
    (SELECT h.payee_id FROM settlement_escrowhold h
      WHERE h.reference = t.reference AND t.kind IN ('po_payment', 'po_refund', 'po_release', 'dispute_settlement')),
    (SELECT r.supplier_id FROM settlement_reward r WHERE r.journal_transaction_id = t.id),
    (SELECT w.organisation_id FROM settlement_withdrawalrequest w WHERE t.id IN (w.hold_transaction_id, w.settle_transaction_id)),
    (SELECT a.organisation_id FROM settlement_journalentry e JOIN settlement_account a ON a.id = e.account_id
      WHERE e.transaction_id = t.id AND a.organisation_id IS NOT NULL ORDER BY e.id LIMIT 1))
 WHERE t.organisation_id IS NULL;
UPDATE settlement_journalentry e SET organisation_id = COALESCE(a.organisation_id, t.organisation_id)
  FROM settlement_account a, settlement_journaltransaction t
 WHERE a.id = e.account_id AND t.id = e.transaction_id AND e.organisation_id IS NULL;
ALTER TABLE settlement_journalentry ENABLE TRIGGER settlement_journalentry_append_only;
ALTER TABLE settlement_journaltransaction ENABLE TRIGGER settlement_journaltransaction_append_only;
SET CONSTRAINTS ALL DEFERRED;
"""
ENTRY_SOURCE = (
    "SELECT COALESCE((SELECT organisation_id FROM settlement_account WHERE id = NEW.account_id), "
    "(SELECT organisation_id FROM settlement_journaltransaction WHERE id = NEW.transaction_id))"
)


def _field(*, null: bool, db_default: bool):
    kwargs = {"null": True} if null else ({"db_default": None} if db_default else {})
    return models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="accounts.organisation", **kwargs
    )


class Migration(migrations.Migration):
    dependencies = [("settlement", "0003_random_upload_names"), ("accounts", "0002_agreement_v1")]

    operations = [
        migrations.AddField(model_name="journaltransaction", name="organisation", field=_field(null=True, db_default=False)),
        migrations.AddField(model_name="journalentry", name="organisation", field=_field(null=True, db_default=False)),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(*fill_trigger_sql(table="settlement_journalentry", column="organisation_id", source=ENTRY_SOURCE)),
        migrations.AlterField(model_name="journaltransaction", name="organisation", field=_field(null=False, db_default=False)),
        migrations.AlterField(model_name="journalentry", name="organisation", field=_field(null=False, db_default=True)),
        migrations.AddIndex(
            model_name="journalentry", index=models.Index(fields=["organisation", "id"], name="settlement_entry_tenant_id")
        ),
    ]
