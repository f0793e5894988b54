"""Notifications stored as finished text become a kind plus parameters where the text is recognised.

Each row's title is matched against every registered text (distribution.core.texts) in each
language; a match stores the text kind and its parameters (a body made of one parameter, such
as a typed reason, is kept as that parameter). Rows that match nothing keep ``params`` NULL and
are shown as stored: their old text is the fallback.
"""

from django.db import migrations

BATCH = 2000


def forwards(apps, schema_editor):
    from django.utils.module_loading import autodiscover_modules

    from distribution.core import texts

    autodiscover_modules("text_kinds")
    Notification = apps.get_model("accounts", "Notification")
    last = 0
    while True:
        rows = list(Notification.objects.filter(pk__gt=last, params__isnull=True).order_by("pk")[:BATCH])
        if not rows:
            break
        last = rows[-1].pk
        changed = []
        for row in rows:
            found = texts.parse(row.title, prefer=row.kind)
            if found is None:
                continue
            key, params = found
            body_template = str(texts.get(key).body or "")
            if body_template.startswith("%(") and body_template.endswith(")s") and body_template.count("%(") == 1:
                params[body_template[2:-2]] = row.body
            row.text_kind = "" if key == row.kind else key
            row.params = params
            changed.append(row)
        Notification.objects.bulk_update(changed, ["text_kind", "params"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_stored_texts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
