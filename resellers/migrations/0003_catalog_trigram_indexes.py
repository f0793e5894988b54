"""Trigram (pg_trgm) GIN indexes for the catalog search (see resellers/search.py)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

DISPLAY_TITLE = "(CASE WHEN has_pending_changes THEN approved_title ELSE title END)"

INDEXES = [
    ("resellers_trgm_product_title", "suppliers_product", DISPLAY_TITLE),
    ("resellers_trgm_product_brand", "suppliers_product", "brand"),
    ("resellers_trgm_sku_code", "suppliers_sku", "code"),
    ("resellers_trgm_supplier_name", "suppliers_supplier", "company_name"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("resellers", "0002_store_list_and_inspection"),
        ("suppliers", "0001_initial"),
    ]

    operations = [TrigramExtension()] + [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expr}) gin_trgm_ops)",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, expr in INDEXES
    ]
