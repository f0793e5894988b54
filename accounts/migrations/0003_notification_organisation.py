"""Sharding readiness: notifications carry their tenant, the notified user's organisation (docs/scaling.md §5).

Added nullable, back-filled from the users' memberships, then NOT NULL with a BEFORE INSERT trigger
filling it from the membership for inserts that leave it out (``distribution.core.tenancy``).
Notifications of users who belong to no organisation any more (removed members) are deleted: they
link to pages of an organisation the user can no longer open.
"""

import django.db.models.deletion
from django.db import migrations, models

from distribution.core.tenancy import fill_trigger_sql

BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
UPDATE accounts_notification n SET organisation_id = m.organisation_id FROM accounts_membership m
 WHERE m.user_id = n.user_id AND n.organisation_id IS NULL;
DELETE FROM accounts_notification WHERE organisation_id IS NULL;
SET CONSTRAINTS ALL DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_agreement_v1")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="organisation",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.organisation"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(
            *fill_trigger_sql(
                table="accounts_notification",
                column="organisation_id",
                source="SELECT organisation_id FROM accounts_membership WHERE user_id = NEW.user_id",
            )
        ),
        migrations.AlterField(
            model_name="notification",
            name="organisation",
            field=models.ForeignKey(db_default=None, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.organisation"),
        ),
    ]
