"""The catalog search table (resellers/search_index.py), filled from the listed products;
and a b-tree on lower(SKU code) for exact code look-ups."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models



def fill(apps, schema_editor):
    from resellers import search_index

    search_index.rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('resellers', '0005_shops'),
        ('suppliers', '0006_sku_sync_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('product', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='suppliers.product')),
                ('province_code', models.CharField(max_length=6)),
                ('title', models.TextField()),
                ('brand', models.TextField(blank=True)),
                ('text', models.TextField()),
                ('tokens', django.contrib.postgres.search.SearchVectorField()),
                ('supply_min', models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                ('supply_max', models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                ('suggested_min', models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                ('suggested_max', models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                ('stock', models.IntegerField(default=0)),
                ('in_stock', models.BooleanField(default=False)),
                ('listed_at', models.DateTimeField()),
                ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='suppliers.category')),
                ('supplier', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='suppliers.supplier')),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['tokens'], gin_pending_list_limit=512, name='resellers_search_tokens'), models.Index(models.OrderBy(models.F('listed_at'), descending=True), models.OrderBy(models.F('product'), descending=True), name='resellers_search_newest'), models.Index(models.F('category'), models.OrderBy(models.F('listed_at'), descending=True), name='resellers_search_category'), models.Index(models.F('supplier'), models.OrderBy(models.F('listed_at'), descending=True), name='resellers_search_supplier')],
            },
        ),
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS resellers_sku_code_lower ON suppliers_sku (lower(code))",
            reverse_sql="DROP INDEX IF EXISTS resellers_sku_code_lower",
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
