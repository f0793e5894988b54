"""Seed version 1.0 of 《分銷平台用戶協定》 (published) so every fresh install has one."""

from django.db import migrations
from django.utils import timezone


def seed_agreement_v1(apps, schema_editor):
    from accounts.agreement_texts import V1_RESELLER_TEXT, V1_SUPPLIER_TEXT, V1_TITLE, V1_VERSION

    AgreementVersion = apps.get_model("accounts", "AgreementVersion")
    AgreementVersion.objects.get_or_create(
        version=V1_VERSION,
        defaults={
            "title": V1_TITLE,
            "supplier_text": V1_SUPPLIER_TEXT,
            "reseller_text": V1_RESELLER_TEXT,
            "published_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed_agreement_v1, migrations.RunPython.noop)]
