from django.db import migrations

from distribution.core.indexes import drop_pattern_ops_twins


class Migration(migrations.Migration):
    """The audit rows' ``action`` keeps its plain index; its ``varchar_pattern_ops`` twin serves no query
    (distribution/core/indexes.py)."""

    dependencies = [("core", "0006_sweeprun_latest")]

    operations = [drop_pattern_ops_twins("core_auditevent", "action")]
