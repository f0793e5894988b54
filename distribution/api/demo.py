"""Demo API keys (API.md, Demo): fixed values for the demo organisations, stored hashed.

Production never accepts them unless ``seed_demo`` loaded them. Idempotent.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Membership, Organisation, Role
from resellers.models import Reseller

from .models import ApiKey, hash_key

DEMO_KEYS = [
    ("demo_reseller_key_0001", "reseller1", "reseller@demo.test"),
    ("demo_reseller_key_0002", "reseller2", "reseller2@demo.test"),
    ("demo_supplier_key_0001", "supplier1", "supplier@demo.test"),
]


def _organisation(ctx: dict[str, Any], name: str, owner_email: str) -> Organisation | None:
    obj = ctx.get(name)
    if obj is not None:
        return obj if isinstance(obj, Organisation) else obj.organisation
    membership = Membership.objects.select_related("organisation").filter(user__email=owner_email).first()
    return membership.organisation if membership else None


def seed(ctx: dict[str, Any]) -> None:
    for raw, name, owner_email in DEMO_KEYS:
        organisation = _organisation(ctx, name, owner_email)
        if organisation is None:
            continue
        owner = (
            Membership.objects.select_related("user").filter(organisation=organisation, role=Role.OWNER).first()
        )
        ApiKey.objects.update_or_create(
            key_hash=hash_key(raw),
            defaults={
                "organisation": organisation,
                "name": "Demo key",
                "prefix": raw[: ApiKey.PREFIX_LENGTH],
                "is_demo": True,
                "created_by": owner.user if owner else None,
                "revoked_at": None,
            },
        )
        ctx["lines"].append(f"API key {raw:<24} {organisation.name} ({organisation.kind})")
    reseller1 = _organisation(ctx, "reseller1", "reseller@demo.test")
    if reseller1 is not None:
        Reseller.objects.filter(pk=reseller1.pk).update(auto_pay=False)
