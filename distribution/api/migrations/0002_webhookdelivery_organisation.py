"""Sharding readiness: webhook deliveries carry their tenant, the endpoint's organisation (docs/scaling.md §5):
added nullable, back-filled from the endpoint, then NOT NULL with a BEFORE INSERT trigger filling it for
inserts that leave it out (``distribution.core.tenancy``), and an index for the organisation's delivery log.
"""

import django.db.models.deletion
from django.db import migrations, models

from distribution.core.tenancy import fill_trigger_sql

BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE api_webhookdelivery d SET organisation_id = e.organisation_id FROM api_webhookendpoint e
 WHERE e.id = d.endpoint_id AND d.organisation_id IS NULL;
SET CONSTRAINTS ALL DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("accounts", "0002_agreement_v1")]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="organisation",
            field=models.ForeignKey(
                db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="accounts.organisation"
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(
            *fill_trigger_sql(
                table="api_webhookdelivery",
                column="organisation_id",
                source="SELECT organisation_id FROM api_webhookendpoint WHERE id = NEW.endpoint_id",
            )
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="organisation",
            field=models.ForeignKey(
                db_default=None, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="accounts.organisation"
            ),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(fields=["organisation", "created_at"], name="webhook_delivery_tenant"),
        ),
    ]
