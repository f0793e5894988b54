"""Demo suppliers: two active companies with their owners (who accepted the agreement).

Idempotent (looked up by the owner's email). Puts ``supplier1``, ``supplier2`` (``Supplier``) and
``supplier1_user``, ``supplier2_user`` (owner ``User``) into ``ctx``.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.demo import demo_owner
from accounts.models import Organisation
from distribution.core.validators import uscc_check_char
from suppliers.models import Supplier


def _credit_code(first17: str) -> str:
    return first17 + uscc_check_char(first17)


SUPPLIERS = [
    {
        "key": "supplier1",
        "email": "supplier@demo.test",
        "full_name": "王建國",
        "company_name": "華東優品供應鏈有限公司",
        "credit_code": _credit_code("91310115MA1K4B2C3"),
        "contact_name": "王建國",
        "phone": "021 6888 1234",
        "address": "上海市浦東新區張江路88號",
        "description": "服裝、家居用品源頭供應商，自有倉庫，一件代發。",
    },
    {
        "key": "supplier2",
        "email": "supplier2@demo.test",
        "full_name": "林美華",
        "company_name": "閩南茶業貿易有限公司",
        "credit_code": _credit_code("91350203MA2Y7D8E9"),
        "contact_name": "林美華",
        "phone": "13959201234",
        "address": "福建省廈門市思明區湖濱南路200號",
        "description": "安溪鐵觀音、武夷岩茶產地直供。",
    },
]


def seed(ctx: dict) -> None:
    for spec in SUPPLIERS:
        user, organisation = demo_owner(
            email=spec["email"], password=ctx["password"], full_name=spec["full_name"],
            kind=Organisation.Kind.SUPPLIER, name=spec["company_name"],
        )
        supplier, _ = Supplier.objects.get_or_create(
            organisation=organisation,
            defaults={
                "company_name": spec["company_name"],
                "credit_code": spec["credit_code"],
                "contact_name": spec["contact_name"],
                "phone": spec["phone"],
                "address": spec["address"],
                "description": spec["description"],
                "status": Supplier.Status.ACTIVE,
                "reviewed_at": timezone.now(),
            },
        )
        ctx[spec["key"]] = supplier
        ctx[f"{spec['key']}_user"] = user
