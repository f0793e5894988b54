"""seed_demo's API keys: fixed values, stored hashed, idempotent."""

from __future__ import annotations

from distribution.api import demo
from distribution.api.models import ApiKey, hash_key
from resellers.models import Reseller
from tests.api.conftest import ApiClient


def test_demo_keys_are_created_hashed_and_work_idempotently(world):
    world["reseller"].auto_pay = True
    world["reseller"].save()
    ctx = {"lines": [], "reseller1": world["reseller"], "reseller2": world["other_reseller"], "supplier1": world["supplier"]}
    demo.seed(ctx)
    demo.seed({**ctx, "lines": []})
    assert ApiKey.objects.filter(is_demo=True).count() == 3
    key = ApiKey.objects.get(key_hash=hash_key("demo_reseller_key_0001"))
    assert key.organisation_id == world["reseller"].pk
    assert not ApiKey.objects.filter(prefix="demo_reseller_key_0001").exists()  # only a prefix is kept
    assert any("demo_supplier_key_0001" in line for line in ctx["lines"])
    assert ApiClient("demo_reseller_key_0001").get("products/").status_code == 200
    assert ApiClient("demo_supplier_key_0001").get("supplier/skus/").status_code == 200
    assert ApiClient("demo_reseller_key_0002").get("account/").status_code == 200
    assert Reseller.objects.get(pk=world["reseller"].pk).auto_pay is False
