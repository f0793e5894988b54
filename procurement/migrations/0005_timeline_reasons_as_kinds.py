"""Timeline reasons written by the platform (timers, confirmations) become a kind plus parameters.

A reason a person typed matches no registered text and stays as it is (``reason_text`` NULL).
"""

from django.db import migrations

BATCH = 5000


def forwards(apps, schema_editor):
    from django.utils.module_loading import autodiscover_modules

    from distribution.core import texts

    autodiscover_modules("text_kinds")
    for model, column, json_column in (
        ("PurchaseOrderTransition", "reason", "reason_text"),
        ("PurchaseOrder", "status_reason", "status_reason_text"),
    ):
        Model = apps.get_model("procurement", model)
        last = 0
        while True:
            rows = list(
                Model.objects.filter(pk__gt=last, **{f"{json_column}__isnull": True})
                .exclude(**{column: ""})
                .order_by("pk")
                .only("pk", column)[:BATCH]
            )
            if not rows:
                break
            last = rows[-1].pk
            changed = []
            for row in rows:
                found = texts.parse(getattr(row, column), prefer="purchase_order.reason.")
                if found is not None and found[0].startswith(("purchase_order.reason.", "dispute.reason.")):
                    setattr(row, json_column, {"kind": found[0], "params": found[1]})
                    changed.append(row)
            Model.objects.bulk_update(changed, [json_column])


class Migration(migrations.Migration):
    dependencies = [("procurement", "0004_stored_texts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
