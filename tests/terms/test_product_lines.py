"""Product lines (產品線): a line's products are seen only by its tiers and resellers; an outsider finds
nothing of them on any list, feed, page or endpoint, and cannot order or publish them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from distribution.core.errors import DomainError
from procurement import services as po_services
from resellers.models import StoreListing
from resellers.search import CatalogQuery, search_catalog
from resellers.services import PublishItem, store_listing_publish
from resellers.shop_services import shop_default
from suppliers.models import ProductLine
from tests.accounts.factories import MembershipFactory
from tests.api.conftest import ApiClient, make_key
from tests.procurement.factories import ADDRESS
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import PartnershipFactory, ProductFactory, SKUFactory, SupplierFactory, TierFactory

pytestmark = pytest.mark.django_db

VIP_TITLE, OPEN_TITLE = "限量真絲圍巾", "純棉短袖T恤"


def _reseller(supplier, tier, key):
    reseller = ResellerFactory()
    user = MembershipFactory(organisation=reseller.organisation, role="owner").user
    if tier is not None:
        PartnershipFactory(supplier=supplier, reseller=reseller, tier=tier)
    make_key(reseller.organisation, key, user=user)
    return {"reseller": reseller, "user": user, "api": ApiClient(key)}


@pytest.fixture
def lines():
    supplier = SupplierFactory()
    gold, regular = TierFactory(supplier=supplier, name="金牌"), TierFactory(supplier=supplier, name="普通")
    vip = ProductFactory(supplier=supplier, title=VIP_TITLE)
    vip_sku = SKUFactory(product=vip, code="VIP-SCARF-1")
    public = ProductFactory(supplier=supplier, title=OPEN_TITLE)
    public_sku = SKUFactory(product=public, code="OPEN-TEE-1")
    world = {
        "supplier": supplier,
        "vip": vip,
        "vip_sku": vip_sku,
        "public_sku": public_sku,
        "gold": _reseller(supplier, gold, "key-gold-000001"),
        "named": _reseller(supplier, regular, "key-named-00001"),
        "outsider": _reseller(supplier, regular, "key-outsider-01"),
        "stranger": _reseller(supplier, None, "key-stranger-01"),
    }
    # the outsider published the scarf before it joined the line
    store_listing_publish(
        actor=world["outsider"]["user"],
        reseller=world["outsider"]["reseller"],
        items=[PublishItem(vip_sku.pk, Decimal("99.00")), PublishItem(public_sku.pk, Decimal("99.00"))],
    )
    line = ProductLine.objects.create(supplier=supplier, name="VIP")
    line.products.add(vip)
    line.tiers.add(gold)
    line.resellers.add(world["named"]["reseller"])
    return world


def found(who) -> set[str]:
    page = search_catalog(reseller=who["reseller"], query=CatalogQuery(q=""), per_page=100)
    return {p.shown_title for p in page.products}


def web(who) -> Client:
    client = Client()
    client.force_login(who["user"])
    return client


def api_codes(who, path) -> set[str]:
    response = who["api"].get(path)
    assert response.status_code == 200, response.content
    return {row.get("sku_code", row.get("code")) for row in response.json()["results"]}


def feed_text(who, kind, fmt="json") -> str:
    response = web(who).get(reverse(f"resellers:feed_{kind}", args=[fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else response.content.decode()


def test_the_chosen_tier_and_the_named_reseller_see_the_line(lines):
    for who in (lines["gold"], lines["named"]):
        assert {VIP_TITLE, OPEN_TITLE} <= found(who)
        assert "VIP-SCARF-1" in api_codes(who, "products/")
        assert web(who).get(reverse("resellers:catalog_product", args=[lines["vip"].pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_an_outsider_finds_nothing_of_the_line_anywhere(lines, who):
    w = lines[who]
    client = web(w)
    # catalog search, its page and the product page
    assert VIP_TITLE not in found(w) and OPEN_TITLE in found(w)
    assert VIP_TITLE not in client.get(reverse("resellers:catalog"), {"q": "圍巾"}).content.decode()
    assert VIP_TITLE not in found(w) | {
        p.shown_title for p in search_catalog(reseller=w["reseller"], query=CatalogQuery(q="VIP-SCARF-1")).products
    }
    assert client.get(reverse("resellers:catalog_product", args=[lines["vip"].pk])).status_code == 404
    # the API's product and inventory lists
    assert "VIP-SCARF-1" not in api_codes(w, "products/")
    assert "VIP-SCARF-1" not in api_codes(w, "inventory/")
    # the PO form's SKU search and line row
    html = client.get(reverse("procurement:reseller_sku_search"), {"q": "VIP"}).content.decode()
    assert "VIP-SCARF-1" not in html
    assert client.get(reverse("procurement:reseller_line_row"), {"sku": lines["vip_sku"].pk}).content == b""
    # the supplier profile counts only what the viewer may see
    profile = client.get(reverse("partners:supplier_profile", args=[lines["supplier"].pk]))
    assert profile.context["product_count"] == 1


def test_an_outsiders_store_list_and_feeds_lose_the_line_product(lines):
    w = lines["outsider"]
    assert StoreListing.objects.filter(reseller=w["reseller"], sku=lines["vip_sku"]).exists()  # the row stays, unseen
    store = web(w).get(reverse("resellers:store_list")).content.decode()
    assert "VIP-SCARF-1" not in store and "OPEN-TEE-1" in store
    for kind in ("products", "stock"):
        text = feed_text(w, kind)
        assert "VIP-SCARF-1" not in text and "OPEN-TEE-1" in text
        assert "VIP-SCARF-1" not in feed_text(w, kind, "csv")


def test_an_outsider_can_neither_order_nor_quote_nor_publish_a_line_product(lines):
    w = lines["outsider"]
    with pytest.raises(DomainError) as exc:
        po_services.purchase_order_place(
            actor=w["user"], reseller=w["reseller"], supplier=None, consumer_order_ref="TB-1", address=dict(ADDRESS),
            lines=[{"sku": lines["vip_sku"].pk, "quantity": 1, "retail_price": Decimal("99.00")}],
        )  # fmt: skip
    assert exc.value.field == "lines.0.sku_id"
    body = {
        "consumer_order_ref": "TB-1",
        "shipping_address": ADDRESS,
        "lines": [{"sku_id": lines["vip_sku"].pk, "quantity": 1, "retail_price": "99.00"}],
    }
    for path, headers in (("purchase-orders/", {"Idempotency-Key": "x-1"}), ("purchase-orders/quote", {})):
        response = w["api"].post(path, body, headers=headers)
        assert response.status_code == 422 and "lines.0.sku_id" in response.json()["error"]["fields"], response.content
    with pytest.raises(DomainError):
        store_listing_publish(
            actor=w["user"], reseller=w["reseller"], items=[PublishItem(lines["vip_sku"].pk, Decimal("99.00"))],
            shop=shop_default(reseller=w["reseller"]),
        )  # fmt: skip
    gold = lines["gold"]
    assert gold["api"].post("purchase-orders/", body, headers={"Idempotency-Key": "g-1"}).status_code == 201
