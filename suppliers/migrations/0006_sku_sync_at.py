"""SKU.sync_at = GREATEST(sku.updated_at, product.updated_at), stored and indexed per supplier.

Kept by two triggers so that every write path (services, queryset updates, bulk imports,
admin) keeps it right: a SKU row takes the later of its own and its product's ``updated_at``
whenever it is written; a product whose ``updated_at`` moves pushes it to its SKUs.
"""

import django.utils.timezone
from django.db import migrations, models

SQL = """
CREATE FUNCTION suppliers_sku_set_sync_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sync_at := GREATEST(NEW.updated_at, (SELECT p.updated_at FROM suppliers_product p WHERE p.id = NEW.product_id));
    RETURN NEW;
END $$;
CREATE TRIGGER suppliers_sku_sync_at BEFORE INSERT OR UPDATE ON suppliers_sku
    FOR EACH ROW EXECUTE FUNCTION suppliers_sku_set_sync_at();

CREATE FUNCTION suppliers_product_push_sync_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
        UPDATE suppliers_sku SET sync_at = NEW.updated_at WHERE product_id = NEW.id AND sync_at < NEW.updated_at;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER suppliers_product_sync_at AFTER UPDATE OF updated_at ON suppliers_product
    FOR EACH ROW EXECUTE FUNCTION suppliers_product_push_sync_at();

UPDATE suppliers_sku s SET sync_at = GREATEST(s.updated_at, p.updated_at) FROM suppliers_product p WHERE p.id = s.product_id;
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS suppliers_product_sync_at ON suppliers_product;
DROP FUNCTION IF EXISTS suppliers_product_push_sync_at();
DROP TRIGGER IF EXISTS suppliers_sku_sync_at ON suppliers_sku;
DROP FUNCTION IF EXISTS suppliers_sku_set_sync_at();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('suppliers', '0005_import_job_lease'),
    ]

    operations = [
        migrations.AddField(
            model_name='sku',
            name='sync_at',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddIndex(
            model_name='sku',
            index=models.Index(fields=['supplier', 'sync_at', 'id'], name='suppliers_sku_sync'),
        ),
        migrations.AddIndex(
            model_name='sku',
            index=models.Index(fields=['supplier', 'id'], name='suppliers_sku_supplier_id'),
        ),
        migrations.RunSQL(sql=SQL, reverse_sql=REVERSE_SQL),
    ]
