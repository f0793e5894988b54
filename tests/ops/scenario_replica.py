"""Run by ``test_scale_out.py`` in its own process, against the private primary (DATABASE_URL)
and its streaming standby (DATABASE_REPLICA_URL). Prints one JSON line with what it saw.

Phase ``reads``: reads of listed views go to the standby (proved by pausing the standby's
replay: a product created afterwards is not in the answer); a write pins its author to the
primary (API key: the PO just placed is in the list at once; browser: the pin cookie); after
the pin window and with replay resumed, reads go to the standby again.
Phase ``standby_down`` (the standby is stopped): the same reads answer from the primary.
"""

from __future__ import annotations

import json
import sys
import time

import django


def _products(client, key: str):
    response = client.get("/api/v1/products/", {"limit": 100}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.content
    return sorted(r["sku_id"] for r in response.json()["results"]), response.wsgi_request.read_from_replica


def wait_for_replay() -> None:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    with connections["replica"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise TimeoutError("standby did not catch up")


def reads() -> dict:
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from accounts.models import AgreementVersion
    from tests.accounts.factories import MembershipFactory
    from tests.api.conftest import make_key
    from tests.api.test_endpoints_purchase_orders import order_body
    from tests.resellers.factories import ResellerFactory
    from tests.suppliers.factories import PartnershipFactory, SKUFactory, SupplierFactory

    AgreementVersion.objects.all().delete()
    supplier = SupplierFactory()
    reseller = ResellerFactory()
    user = MembershipFactory(organisation=reseller.organisation, role="owner").user
    PartnershipFactory(supplier=supplier, reseller=reseller)
    first = SKUFactory(product__supplier=supplier, on_hand=20, reserved=0)
    key = "ops-replica-key-1"
    make_key(reseller.organisation, key, user=user)
    wait_for_replay()
    api = Client()
    seen = {}
    seen["caught_up"] = _products(api, key)

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    second = SKUFactory(product__supplier=supplier, on_hand=20, reserved=0)
    seen["paused"] = _products(Client(), key)

    placed = api.post(
        "/api/v1/purchase-orders/",
        data=json.dumps(order_body(first)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "ops-replica-1"},
    )
    assert placed.status_code == 201, placed.content
    number = placed.json()["number"]
    listed = api.get("/api/v1/purchase-orders/", headers={"Authorization": f"Bearer {key}"})
    seen["po_list_after_write"] = ([p["number"] for p in listed.json()["results"]], listed.wsgi_request.read_from_replica)
    seen["products_after_write"] = _products(api, key)

    browser = Client()
    browser.force_login(user)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/catalog/"})  # any POST pins the browser
    page = browser.get("/catalog/")
    seen["catalog_pinned"] = (page.status_code, page.wsgi_request.read_from_replica)

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay()
    time.sleep(settings.DATABASE_REPLICA_PIN_SECONDS + 0.5)
    seen["after_window"] = _products(api, key)
    page = browser.get("/catalog/")
    seen["catalog_after_window"] = (page.status_code, page.wsgi_request.read_from_replica)
    return {"first": first.pk, "second": second.pk, "number": number, "key": key, **seen}


def standby_down() -> dict:
    from django.test import Client

    key = "ops-replica-key-1"
    started = time.monotonic()
    first = _products(Client(), key)
    first_seconds = time.monotonic() - started
    started = time.monotonic()
    second = _products(Client(), key)
    return {"first": first, "first_seconds": first_seconds, "second": second, "second_seconds": time.monotonic() - started}


if __name__ == "__main__":
    django.setup()
    print(json.dumps({"reads": reads, "standby_down": standby_down}[sys.argv[1]]()))
