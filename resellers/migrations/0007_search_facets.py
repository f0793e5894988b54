"""Filter lexemes in the search rows' ``tokens`` (category, supplier, goods location, in stock), so a text
query's filters are applied by the same GIN lookup (``search_index.facet_lexemes``, which this SQL matches).

The GIN index is dropped for the rewrite of every row and built again after it (much faster than
updating it row by row); searches during this migration read the table without it.
"""

from django.db import migrations

# the facet lexemes of a row, from its own columns (tests/resellers/test_search.py keeps it equal to the Python)
FACETS_SQL = """array_to_tsvector(
    ARRAY['#c' || category_id, '#s' || supplier_id]
    || CASE WHEN province_code <> '' THEN ARRAY['#p' || province_code] ELSE ARRAY[]::text[] END
    || CASE WHEN in_stock THEN ARRAY['#stock'] ELSE ARRAY[]::text[] END)"""
FORWARD = f"""
DROP INDEX IF EXISTS resellers_search_tokens;
UPDATE resellers_searchentry SET tokens = tokens || {FACETS_SQL};
CREATE INDEX resellers_search_tokens ON resellers_searchentry USING gin (tokens) WITH (gin_pending_list_limit = 512);
"""


class Migration(migrations.Migration):
    dependencies = [("resellers", "0006_search_entry")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
