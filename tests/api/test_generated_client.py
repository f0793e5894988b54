"""A client generated from the served schema (openapi-python-client) drives the whole flow and every
error: if the schema and the answers drift apart, the generated models fail to parse.

The client is generated once per session into a temporary package and talks to the app through
Django's test client (an httpx transport), so it runs inside the test's transaction: no server.
Every status it meets must be documented (``raise_on_unexpected_status``), and every model parses
strictly (enums for statuses and error codes).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client

from tests.api.test_endpoints_purchase_orders import ADDRESS
from tests.settlement.factories import fund

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "distribution_api_client"


class DjangoTransport(httpx.BaseTransport):
    """httpx → django.test.Client: the request runs in this thread, inside the test's transaction."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length", "content-type"}}
        response = Client().generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.read(),
            content_type=request.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )
        return httpx.Response(response.status_code, headers=list(response.items()), content=response.content)


@pytest.fixture(scope="session")
def generated(tmp_path_factory, django_db_setup, django_db_blocker):
    from distribution.api.api import api

    root = tmp_path_factory.mktemp("client")
    schema = root / "openapi.json"
    with django_db_blocker.unblock():
        schema.write_text(json.dumps(api.get_openapi_schema(), ensure_ascii=False), encoding="utf-8")
    config = root / "config.yaml"
    config.write_text("post_hooks: []\n")
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [str(GENERATOR), "generate", "--path", str(schema), "--output-path", str(root / PACKAGE), "--meta", "none",
         "--config", str(config), "--fail-on-warning"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))


def _mod(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def client_for(generated, key: str, **headers):
    return generated.AuthenticatedClient(
        base_url="http://testserver",
        token=key,
        raise_on_unexpected_status=True,
        headers={"Accept-Language": "en", **headers},
        httpx_args={"transport": DjangoTransport()},
    )


def _order(models, sku, *, quantity=2, province="浙江省"):
    address = models.AddressIn(**{**ADDRESS, "province": province, "city": "杭州市", "district": "西湖区"})
    line = models.LineIn(sku_id=sku.pk, quantity=quantity, retail_price="99.00")
    return models.PurchaseOrderIn(consumer_order_ref="TB-GEN-1", shipping_address=address, lines=[line])


def _error(response, status, code):
    assert response.status_code == status, response.content
    assert response.parsed.error.code.value == code
    assert response.parsed.error.request_id == response.headers["X-Request-ID"]
    return response.parsed.error


def test_place_pay_ship_confirm_through_the_generated_client(generated, world):
    models = _mod("models")
    place = _mod("api.reseller_purchase_orders.place")
    pay = _mod("api.reseller_purchase_orders.pay")
    confirm = _mod("api.reseller_purchase_orders.confirm_receipt")
    detail = _mod("api.supplier_purchase_orders.supplier_detail")
    ship = _mod("api.supplier_purchase_orders.ship")
    products = _mod("api.reseller.list_products")
    product = _mod("api.reseller.get_product")
    events = _mod("api.events.list_events")
    reseller = client_for(generated, "reseller-key-1")
    supplier = client_for(generated, "supplier-key-1")
    fund(world["reseller"].organisation, "1000.00")

    [listed] = products.sync(client=reseller).results
    assert product.sync(listed.sku_id, client=reseller).updated_at == listed.updated_at
    placed = place.sync_detailed(client=reseller, body=_order(models, world["sku"]), idempotency_key="gen-1")
    assert placed.status_code == 201
    assert placed.parsed.status.value == "awaiting_payment"
    assert placed.parsed.shipping_address.province == "330000"
    assert int(placed.headers["RateLimit-Remaining"]) >= 0
    number = placed.parsed.number
    assert pay.sync(number, client=reseller).status.value == "paid"
    assert detail.sync(number, client=supplier).status.value == "paid"
    shipped = ship.sync(number, client=supplier, body=models.ShipIn(carrier="順豐速運", tracking_number="SF1234567890"))
    assert shipped.status.value == "shipped"
    assert confirm.sync(number, client=reseller).status.value == "completed"
    page = events.sync(client=reseller)
    assert page is not None and page.next_after is None


def test_each_error_parses_through_the_generated_client(generated, world, settings):
    models = _mod("models")
    place = _mod("api.reseller_purchase_orders.place")
    pay = _mod("api.reseller_purchase_orders.pay")
    detail = _mod("api.reseller_purchase_orders.reseller_detail")
    account = _mod("api.reseller.account")
    skus = _mod("api.supplier.list_skus")
    stock_bulk = _mod("api.supplier.set_stock_bulk")
    ship_bulk = _mod("api.supplier_purchase_orders.ship_bulk")
    events = _mod("api.events.list_events")
    reseller = client_for(generated, "reseller-key-1")
    supplier = client_for(generated, "supplier-key-1")

    unauthorized = _error(account.sync_detailed(client=client_for(generated, "no-such-key")), 401, "unauthorized")
    assert unauthorized.message
    _error(skus.sync_detailed(client=reseller), 403, "forbidden")
    _error(detail.sync_detailed("PO-NOPE", client=reseller), 404, "not_found")
    no_key = place.sync_detailed(client=reseller, body=_order(models, world["sku"]), idempotency_key=" ")
    _error(no_key, 400, "missing_idempotency_key")
    invalid = _error(place.sync_detailed(client=reseller, body=_order(models, world["sku"], province="火星"), idempotency_key="e1"),
                     422, "validation_error")  # fmt: skip
    assert list(invalid.fields.additional_properties) == ["shipping_address.province"]
    over = place.sync_detailed(client=reseller, body=_order(models, world["sku"], quantity=999), idempotency_key="e2")
    too_many = _error(over, 409, "insufficient_stock")
    assert list(too_many.fields.additional_properties) == ["lines.0.quantity"]
    placed = place.sync(client=reseller, body=_order(models, world["sku"]), idempotency_key="e3")
    _error(pay.sync_detailed(placed.number, client=reseller), 409, "insufficient_balance")
    _error(events.sync_detailed(client=reseller, after="00000000-0000-0000-0000-000000000000"), 422, "validation_error")

    stock = stock_bulk.sync(
        client=supplier,
        body=models.StockBulkIn(items=[models.StockItemIn(code=world["sku"].code, on_hand=1), models.StockItemIn(code="NOPE", on_hand=1)]),
    )
    assert [r.ok for r in stock.results] == [False, False]  # 2 reserved by the PO above: below_reserved
    assert [r.error.code.value for r in stock.results] == ["below_reserved", "not_found"]
    item = models.ShipItemIn(number=placed.number, carrier="SF", tracking_number="1")
    shipped = ship_bulk.sync(client=supplier, body=models.ShipBulkIn(items=[item]))
    assert shipped.results[0].error.code.value == "invalid_state"

    settings.API_RATE_LIMIT_PER_MINUTE = 1
    limited = account.sync_detailed(client=reseller)
    _error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
