"""Fixtures for the API tests: keys, a JSON client, a reseller partnered with a supplier."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from distribution.api.models import ApiKey, hash_key
from tests.accounts.factories import MembershipFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import PartnershipFactory, SKUFactory, SupplierFactory, TierFactory


def make_key(organisation, raw: str, *, user=None) -> ApiKey:
    return ApiKey.objects.create(
        organisation=organisation, name="test", prefix=raw[:12], key_hash=hash_key(raw), created_by=user
    )


class ApiClient:
    """A Django test client speaking JSON with a Bearer key."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.key = key

    def _headers(self, extra: dict | None) -> dict:
        headers = {}
        if self.key is not None:
            headers["Authorization"] = f"Bearer {self.key}"
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get("/api/v1/" + path, params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body=None, *, raw: str | bytes | None = None, headers: dict | None = None):
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return getattr(self.client, method)(
            "/api/v1/" + path, data=data, content_type="application/json", headers=self._headers(headers)
        )

    def post(self, path: str, body=None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def put(self, path: str, body=None, **kwargs):
        return self.send("put", path, body, **kwargs)


@pytest.fixture
def world(db):
    """A reseller (tier 10 % off) partnered with a supplier; a second reseller and supplier with keys."""
    supplier = SupplierFactory()
    supplier_user = MembershipFactory(organisation=supplier.organisation, role="owner").user
    reseller = ResellerFactory()
    reseller_user = MembershipFactory(organisation=reseller.organisation, role="owner").user
    tier = TierFactory(supplier=supplier, discount_percent=Decimal("10"))
    partnership = PartnershipFactory(supplier=supplier, reseller=reseller, tier=tier)
    other_reseller = ResellerFactory()
    other_supplier = SupplierFactory()
    sku = SKUFactory(product__supplier=supplier, on_hand=20, reserved=0)
    make_key(reseller.organisation, "reseller-key-1", user=reseller_user)
    make_key(other_reseller.organisation, "reseller-key-2")
    make_key(supplier.organisation, "supplier-key-1", user=supplier_user)
    make_key(other_supplier.organisation, "supplier-key-2")
    return {
        "supplier": supplier,
        "supplier_user": supplier_user,
        "reseller": reseller,
        "reseller_user": reseller_user,
        "tier": tier,
        "partnership": partnership,
        "other_reseller": other_reseller,
        "other_supplier": other_supplier,
        "sku": sku,
        "reseller_api": ApiClient("reseller-key-1"),
        "other_reseller_api": ApiClient("reseller-key-2"),
        "supplier_api": ApiClient("supplier-key-1"),
        "other_supplier_api": ApiClient("supplier-key-2"),
    }


def error_code(response) -> str:
    return response.json()["error"]["code"]
