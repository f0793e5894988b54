"""Each term on each placing path: services (one PO, cart), the API (place and quote), the web form, order import."""

from __future__ import annotations

import pytest
from django.urls import reverse

from distribution.core.divisions import name_of
from distribution.core.errors import DomainError
from procurement import services
from procurement.models import PurchaseOrder
from suppliers.models import PriceOverride
from tests.api.conftest import error_code
from tests.api.test_endpoints_purchase_orders import ADDRESS as API_ADDRESS
from tests.forms import once
from tests.procurement.factories import ADDRESS, make_trade, place, reload_sku
from tests.terms.factories import (
    GUANGDONG_ADDRESS,
    JIANGSU,
    SHANGHAI,
    URUMQI_ADDRESS,
    ZHEJIANG,
    D,
    breaks,
    east_template,
    set_terms,
)

pytestmark = pytest.mark.django_db

EAST = [ZHEJIANG, SHANGHAI, JIANGSU]


def place_to(trade, address, *, quantity=1, sku=None):
    return services.purchase_order_place(
        actor=trade.reseller_user,
        reseller=trade.reseller,
        supplier=trade.supplier,
        lines=[{"sku": sku or trade.sku, "quantity": quantity, "retail_price": D("99.00")}],
        consumer_order_ref="TB-1",
        address=dict(address),
    )


def cart(trade, address, lines):
    return services.purchase_orders_place_cart(
        actor=trade.reseller_user, reseller=trade.reseller, lines=lines, consumer_order_ref="TB-2", address=dict(address)
    )


# --- services: one PO ----------------------------------------------------------------------


def test_an_order_outside_the_shipping_regions_is_refused_naming_the_province():
    trade = make_trade()
    set_terms(trade.supplier, shipping_regions=EAST)
    with pytest.raises(DomainError) as exc:
        place_to(trade, URUMQI_ADDRESS)
    assert exc.value.field == "province" and "新疆" in exc.value.message
    assert not PurchaseOrder.objects.exists() and reload_sku(trade.sku).reserved == 0
    assert place_to(trade, ADDRESS).province_code == ZHEJIANG


def test_an_order_below_the_minimum_amount_is_refused_on_lines():
    trade = make_trade()  # 50.00 a piece
    set_terms(trade.supplier, minimum_order_amount=D("1000.00"))
    with pytest.raises(DomainError) as exc:
        place_to(trade, ADDRESS, quantity=19)  # 950.00
    assert exc.value.field == "lines" and "1000.00" in exc.value.message and "950.00" in exc.value.message
    assert place_to(trade, ADDRESS, quantity=20).goods_amount == D("1000.00")  # exactly the minimum


def test_per_sku_minimum_quantity_and_multiple_name_the_line_quantity():
    trade = make_trade()
    trade.sku.min_order_quantity, trade.sku.order_multiple = 6, 3
    trade.sku.save()
    for quantity in (3, 7):
        with pytest.raises(DomainError) as exc:
            place_to(trade, ADDRESS, quantity=quantity)
        assert exc.value.field == "lines.0.quantity"
    assert place_to(trade, ADDRESS, quantity=9).lines.get().quantity == 9


def test_price_breaks_and_the_template_priced_and_stored_on_the_po():
    trade = make_trade(discount="10")  # 50.00 less 10 %; SKU weighs 300 g
    breaks(trade.sku, (10, "45.00"), (50, "40.00"))
    east_template(trade.supplier)
    po = place_to(trade, ADDRESS, quantity=9)  # 45.00 × 9 = 405.00 ≥ 299.00: free; 2,700 g
    assert po.lines.get().unit_price == D("45.00")
    assert (po.goods_amount, po.shipping_amount) == (D("405.00"), D("0.00"))
    assert po.shipping_breakdown["free"] is True and po.shipping_breakdown["charged"] == "16.00"  # 8 + 4 × 2.00 (1,700 g over)
    po = place_to(trade, ADDRESS, quantity=10)
    assert po.lines.get().unit_price == D("40.50")  # the 45.00 break, less the tier's 10 %
    po = place_to(trade, GUANGDONG_ADDRESS, quantity=1)  # 45.00 < 299.00, 300 g, the rest of the country
    assert (po.shipping_amount, po.total_amount) == (D("15.00"), D("60.00"))
    assert po.shipping_breakdown["method"] == "template" and po.shipping_breakdown["additional_steps"] == 0
    with pytest.raises(DomainError) as exc:
        place_to(trade, URUMQI_ADDRESS)
    assert exc.value.field == "province"


def test_a_resellers_own_price_wins_over_breaks_and_tier():
    trade = make_trade(discount="10")
    breaks(trade.sku, (10, "45.00"))
    PriceOverride.objects.create(supplier=trade.supplier, sku=trade.sku, reseller=trade.reseller, unit_price=D("39.90"))
    assert place_to(trade, ADDRESS, quantity=10).lines.get().unit_price == D("39.90")
    other = make_trade(supplier=trade.supplier)
    assert place(other, sku=trade.sku, quantity=10).lines.get().unit_price == D("45.00")  # someone else: the break price


def test_the_flat_fee_is_kept_without_a_template():
    trade = make_trade(shipping="12.00")
    po = place(trade)
    assert po.shipping_amount == D("12.00") and po.shipping_breakdown == {"method": "flat", "amount": "12.00"}


# --- services: the cart ---------------------------------------------------------------------


def test_the_cart_checks_each_suppliers_terms_and_places_nothing_when_one_fails():
    first = make_trade()
    second = make_trade(reseller=first.reseller)
    set_terms(second.supplier, shipping_regions=EAST)
    lines = [{"sku": first.sku, "quantity": 1, "retail_price": D("99")}, {"sku": second.sku, "quantity": 1, "retail_price": D("99")}]
    with pytest.raises(DomainError) as exc:
        cart(first, GUANGDONG_ADDRESS, lines)
    assert exc.value.field == "province"
    assert not PurchaseOrder.objects.exists()
    second.sku.order_multiple = 2
    second.sku.save()
    with pytest.raises(DomainError) as exc:
        cart(first, ADDRESS, lines)
    assert exc.value.field == "lines.1.quantity"
    set_terms(first.supplier, minimum_order_amount=D("100.00"))
    lines[1]["quantity"] = 2
    with pytest.raises(DomainError) as exc:
        cart(first, ADDRESS, lines)
    assert exc.value.field == "lines"
    lines[0]["quantity"] = 2
    assert len(cart(first, ADDRESS, lines)) == 2


# --- the API --------------------------------------------------------------------------------


def api_body(sku, *, quantity=2, address=None):
    return {
        "consumer_order_ref": "TB-9",
        "shipping_address": address or API_ADDRESS,
        "lines": [{"sku_id": sku.pk, "quantity": quantity, "retail_price": "99.00"}],
    }


def api_place(world, body, key="k-1"):
    return world["reseller_api"].post("purchase-orders/", body, headers={"Idempotency-Key": key})


def fields_of(response) -> dict:
    return response.json()["error"]["fields"]


def test_api_refuses_each_term_with_its_field(world):
    sku = world["sku"]
    set_terms(world["supplier"], shipping_regions=EAST, minimum_order_amount=D("1000.00"))
    response = api_place(world, api_body(sku, address=URUMQI_ADDRESS))
    assert response.status_code == 422 and "shipping_address.province" in fields_of(response)
    response = api_place(world, api_body(sku), key="k-2")  # 45.00 × 2 = 90.00
    assert response.status_code == 422 and "lines" in fields_of(response)
    set_terms(world["supplier"], minimum_order_amount=D("0"))
    sku.order_multiple = 4
    sku.save()
    response = api_place(world, api_body(sku, quantity=2), key="k-3")
    assert response.status_code == 422 and "lines.0.quantity" in fields_of(response)
    assert error_code(response) == "validation_error"
    assert not PurchaseOrder.objects.exists()
    response = api_place(world, api_body(sku, quantity=4), key="k-4")
    assert response.status_code == 201, response.content
    assert response.json()["shipping_breakdown"] == {"method": "flat", "amount": "0.00"}


def test_api_quote_shows_what_placing_charges_with_the_same_body(world):
    sku = world["sku"]
    breaks(sku, (10, "45.00"))
    east_template(world["supplier"])
    body = api_body(sku, quantity=10, address=GUANGDONG_ADDRESS)
    quote = world["reseller_api"].post("purchase-orders/quote", body)
    assert quote.status_code == 200, quote.content
    q = quote.json()
    assert q["lines"][0]["unit_price"] == "40.50" and q["lines"][0]["price_source"] == "break"
    assert (q["goods_amount"], q["shipping_amount"], q["total_amount"]) == ("405.00", "0.00", "405.00")  # free from 299.00
    assert q["shipping_breakdown"]["charged"] == "25.00"  # 3,000 g: 15.00 + 2 × 5.00
    assert not PurchaseOrder.objects.exists() and reload_sku(sku).reserved == 0
    placed = api_place(world, body)
    assert placed.status_code == 201
    assert (placed.json()["goods_amount"], placed.json()["shipping_amount"]) == (q["goods_amount"], q["shipping_amount"])
    assert placed.json()["shipping_breakdown"] == q["shipping_breakdown"]
    small = world["reseller_api"].post("purchase-orders/quote", api_body(sku, quantity=1, address=GUANGDONG_ADDRESS)).json()
    assert (small["goods_amount"], small["shipping_amount"], small["total_amount"]) == ("45.00", "15.00", "60.00")


def test_api_quote_refuses_as_placing_does(world):
    east_template(world["supplier"])
    response = world["reseller_api"].post("purchase-orders/quote", api_body(world["sku"], address=URUMQI_ADDRESS))
    assert response.status_code == 422 and "shipping_address.province" in fields_of(response)
    other = world["other_reseller_api"].post("purchase-orders/quote", api_body(world["sku"]))
    assert other.status_code == 422 and error_code(other) == "no_partnership"


# --- the web form ---------------------------------------------------------------------------


def address_post(address):
    return {f"addr-{k}": v for k, v in address.items()}


def test_the_web_form_shows_each_refusal_on_its_field(client):
    trade = make_trade()
    client.force_login(trade.reseller_user)
    set_terms(trade.supplier, shipping_regions=EAST, minimum_order_amount=D("100.00"))
    data = {"sku": [trade.sku.pk], "quantity": ["3"], "retail_price": ["99.00"], "consumer_order_ref": "TB-5"}
    response = client.post(reverse("procurement:reseller_po_place"), once({**data, **address_post(GUANGDONG_ADDRESS)}))
    assert response.status_code == 422
    assert name_of("440000") in " ".join(response.context["address_form"].errors["province"])
    data["quantity"] = ["1"]
    response = client.post(reverse("procurement:reseller_po_place"), once({**data, **address_post(ADDRESS)}))
    assert response.status_code == 422 and "100.00" in " ".join(response.context["line_errors"])
    assert not PurchaseOrder.objects.exists()
    data["quantity"] = ["2"]
    response = client.post(reverse("procurement:reseller_po_place"), once({**data, **address_post(ADDRESS)}))
    assert response.status_code == 302 and PurchaseOrder.objects.get().goods_amount == D("100.00")


def test_the_api_product_list_shows_own_price_breaks_and_order_rules(world):
    sku = world["sku"]
    breaks(sku, (10, "45.00"))
    sku.min_order_quantity, sku.order_multiple = 2, 2
    sku.save()
    [item] = world["reseller_api"].get("products/").json()["results"]
    assert item["supply_price"] == "45.00" and item["price_breaks"] == [{"min_quantity": 10, "supply_price": "40.50"}]
    assert (item["min_order_quantity"], item["order_multiple"]) == (2, 2)
    PriceOverride.objects.create(supplier=world["supplier"], sku=sku, reseller=world["reseller"], unit_price=D("39.00"))
    [item] = world["reseller_api"].get("products/").json()["results"]
    assert item["supply_price"] == "39.00" and item["price_breaks"] == []
