"""After-sales, packages and tracking corrections through the API; both sides, other organisations 404."""

from __future__ import annotations

import pytest

from aftersales.models import AfterSale
from distribution.api.api import api
from tests.aftersales.factories import D, completed_po
from tests.api.conftest import ApiClient, make_key
from tests.procurement.factories import make_trade, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def apis():
    trade, po = completed_po()
    make_key(trade.reseller.organisation, "as-reseller-key", user=trade.reseller_user)
    make_key(trade.supplier.organisation, "as-supplier-key", user=trade.supplier_user)
    other = make_trade()
    make_key(other.reseller.organisation, "as-other-reseller")
    make_key(other.supplier.organisation, "as-other-supplier")
    return {
        "trade": trade,
        "po": po,
        "reseller": ApiClient("as-reseller-key"),
        "supplier": ApiClient("as-supplier-key"),
        "other_reseller": ApiClient("as-other-reseller"),
        "other_supplier": ApiClient("as-other-supplier"),
    }


def open_body(po, **extra):
    line = po.lines.get()
    return {"purchase_order": po.number, "kind": "return_refund", "reason": "quality", "description": "破損",
            "lines": [{"code": line.code, "quantity": 1}], **extra}  # fmt: skip


def test_a_return_runs_through_the_api_to_the_refund(apis):
    response = apis["reseller"].post("after-sales/", open_body(apis["po"]))
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["requested_amount"] == "50.00" and response.json()["status"] == "requested"
    assert apis["supplier"].get("supplier/after-sales/").json()["results"][0]["number"] == number
    assert apis["supplier"].post(f"supplier/after-sales/{number}/agree").json()["status"] == "awaiting_return"
    body = apis["reseller"].post(f"after-sales/{number}/ship-back", {"carrier": "中通", "tracking_number": "ZT1"}).json()
    assert body["status"] == "return_shipped" and body["return_tracking_url"].startswith("https://www.zto.com/")
    body = apis["supplier"].post(f"supplier/after-sales/{number}/received", {}).json()
    assert body["status"] == "refunded" and body["refund_amount"] == "50.00"


def test_bad_input_names_the_field(apis):
    response = apis["reseller"].post("after-sales/", open_body(apis["po"], kind="nonsense"))
    assert response.status_code == 422
    assert "kind" in response.json()["error"]["fields"]
    response = apis["reseller"].post("after-sales/", {**open_body(apis["po"]), "lines": [{"code": "NOPE", "quantity": 1}]})
    assert response.status_code == 422 and "lines" in response.json()["error"]["fields"]


def test_other_organisations_get_404(apis):
    number = apis["reseller"].post("after-sales/", open_body(apis["po"])).json()["number"]
    assert apis["other_reseller"].get(f"after-sales/{number}/").status_code == 404
    assert apis["other_supplier"].post(f"supplier/after-sales/{number}/agree").status_code == 404
    assert apis["other_reseller"].post("after-sales/", open_body(apis["po"])).status_code == 404
    assert AfterSale.objects.get(number=number).status == "requested"


def test_a_second_agree_is_a_conflict(apis):
    number = apis["reseller"].post("after-sales/", open_body(apis["po"], kind="refund_only")).json()["number"]
    assert apis["supplier"].post(f"supplier/after-sales/{number}/agree").status_code == 200
    assert apis["supplier"].post(f"supplier/after-sales/{number}/agree").status_code == 409


def test_packages_tracking_links_variants_and_correction(apis):
    trade = apis["trade"]
    from procurement import services

    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, quantity=3))
    code = po.lines.get().code
    body = (
        apis["supplier"]
        .post(
            f"supplier/purchase-orders/{po.number}/packages",
            {"carrier": "sf", "tracking_number": "SF9", "lines": [{"code": code, "quantity": 1}]},
        )
        .json()
    )
    assert body["status"] == "paid" and len(body["packages"]) == 1
    assert body["packages"][0]["carrier_code"] == "sf" and "SF9" in body["packages"][0]["tracking_url"]
    assert "variant" in body["lines"][0]
    body = apis["supplier"].post(f"supplier/purchase-orders/{po.number}/ship", {"carrier": "EMS", "tracking_number": "E1"}).json()
    assert body["status"] == "shipped" and len(body["packages"]) == 2
    fixed = apis["supplier"].post(f"supplier/purchase-orders/{po.number}/tracking", {"carrier": "EMS", "tracking_number": "E2"})
    assert fixed.status_code == 200 and fixed.json()["tracking_number"] == "E2"
    assert (
        apis["other_supplier"]
        .post(f"supplier/purchase-orders/{po.number}/tracking", {"carrier": "EMS", "tracking_number": "E3"})
        .status_code
        == 404
    )
    assert apis["reseller"].get(f"purchase-orders/{po.number}/").json()["tracking_number"] == "E2"
    carriers = apis["supplier"].get("supplier/carriers/").json()
    assert {"sf", "zto", "yto", "sto", "yunda", "jd", "ems", "jt", "deppon"} <= {c["code"] for c in carriers}


def test_the_schema_documents_after_sales_and_the_new_webhooks():
    schema = api.get_openapi_schema()
    paths = schema["paths"]
    assert "/api/v1/after-sales/" in paths and "/api/v1/supplier/after-sales/{number}/agree" in paths
    assert "/api/v1/supplier/purchase-orders/{number}/tracking" in paths
    assert "AfterSaleOut" in schema["components"]["schemas"]
    from distribution.api.webhooks import EVENT_TYPES

    assert {"after_sale.refunded", "purchase_order.tracking_corrected", "purchase_order.package_shipped"} <= set(EVENT_TYPES)


def test_webhooks_go_out_for_after_sales_and_corrections(apis, run_outbox):
    from distribution.api.models import WebhookEndpoint, WebhookEvent
    from distribution.api.webhooks import EVENT_TYPES

    trade = apis["trade"]
    WebhookEndpoint.objects.create(
        organisation=trade.reseller.organisation, url="https://example.com/hook", secret="s", events=list(EVENT_TYPES), is_active=True
    )
    number = apis["reseller"].post("after-sales/", open_body(apis["po"], kind="refund_only")).json()["number"]
    apis["supplier"].post(f"supplier/after-sales/{number}/agree")
    apis["supplier"].post(f"supplier/purchase-orders/{apis['po'].number}/tracking", {"carrier": "京東", "tracking_number": "JD1"})
    run_outbox(queue="webhooks")
    types = list(WebhookEvent.objects.filter(organisation=trade.reseller.organisation).values_list("type", flat=True))
    assert "after_sale.requested" in types and "after_sale.refunded" in types
    event = WebhookEvent.objects.get(organisation=trade.reseller.organisation, type="purchase_order.tracking_corrected")
    assert event.data["previous"] == {"carrier": "順豐", "tracking_number": "SF100"}
    assert event.data["package"]["tracking_number"] == "JD1"
    assert D(apis["reseller"].get(f"after-sales/{number}/").json()["refund_amount"]) == D("50.00")


def test_the_resellers_system_reports_the_return_delivered_and_the_supplier_may_skip_restocking(apis, run_outbox):
    from datetime import timedelta

    from django.utils import timezone

    from distribution.api.models import WebhookEndpoint, WebhookEvent
    from suppliers.models import SKU

    trade = apis["trade"]
    WebhookEndpoint.objects.create(
        organisation=trade.supplier.organisation, url="https://example.com/hook", secret="s", events=["after_sale.return_delivered"],
        is_active=True,
    )  # fmt: skip
    number = apis["reseller"].post("after-sales/", open_body(apis["po"])).json()["number"]
    apis["supplier"].post(f"supplier/after-sales/{number}/agree")
    apis["reseller"].post(f"after-sales/{number}/ship-back", {"carrier": "中通", "tracking_number": "ZT1"})
    delivered_at = timezone.now()  # just after the ship-back

    assert apis["other_reseller"].post(f"after-sales/{number}/delivered", {}).status_code == 404
    late = apis["reseller"].post(f"after-sales/{number}/delivered", {"delivered_at": (timezone.now() + timedelta(days=1)).isoformat()})
    assert late.status_code == 422 and "delivered_at" in late.json()["error"]["fields"]
    response = apis["reseller"].post(f"after-sales/{number}/delivered", {"delivered_at": delivered_at.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "return_shipped"
    assert body["return_delivered_at"] is not None
    assert timezone.datetime.fromisoformat(body["receive_by"]) == delivered_at + timedelta(days=7)
    run_outbox(queue="webhooks")
    assert WebhookEvent.objects.filter(organisation=trade.supplier.organisation, type="after_sale.return_delivered").count() == 1

    on_hand = SKU.objects.get(pk=trade.sku.pk).on_hand
    body = apis["supplier"].post(f"supplier/after-sales/{number}/received", {"restock": False}).json()
    assert body["status"] == "refunded" and body["restocked"] is False
    assert SKU.objects.get(pk=trade.sku.pk).on_hand == on_hand


def test_the_schema_documents_the_delivery_report_and_its_webhook():
    schema = api.get_openapi_schema()
    assert "/api/v1/after-sales/{number}/delivered" in schema["paths"]
    assert "DeliveredIn" in schema["components"]["schemas"]
    assert "restock" in schema["components"]["schemas"]["ReceivedIn"]["properties"]
    from distribution.api.webhooks import EVENT_TYPES

    assert "after_sale.return_delivered" in EVENT_TYPES
