"""Supplier pages for the commercial terms: templates, price breaks, own prices, order rules, product lines,
download records; clear errors, another organisation's objects answer 404; the PO form's live quote and the
money split on the supplier's PO."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from procurement import services
from resellers.services import PublishItem, store_listing_publish
from suppliers.models import SKU, CooperationTerms, PriceBreak, PriceOverride, ProductLine, ShippingRegionGroup, ShippingTemplate
from tests.procurement.factories import ADDRESS, make_trade, place
from tests.terms.factories import GUANGDONG_ADDRESS, SHANGHAI, XINJIANG, ZHEJIANG, D, east_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade():
    return make_trade(funds="1000.00")


@pytest.fixture
def supplier_client(client, trade):
    client.force_login(trade.supplier_user)
    return client


def test_a_supplier_builds_a_template_with_groups_and_uses_it(supplier_client, trade):
    url = reverse("suppliers:shipping_templates")
    response = supplier_client.post(
        url, {"name": "華東快遞", "basis": "weight", "free_above_amount": "299.00", "unserved_provinces": [XINJIANG]}
    )
    template = ShippingTemplate.objects.get(supplier=trade.supplier)
    assert response.status_code == 302 and template.unserved_provinces == [XINJIANG]
    detail = reverse("suppliers:shipping_template", args=[template.pk])
    group = {"action": "add_group", "provinces": [ZHEJIANG, SHANGHAI], "first_units": "1000", "first_fee": "8.00"}
    group.update({"additional_units": "500", "additional_fee": "2.00"})
    assert supplier_client.post(detail, group).status_code == 302
    clash = supplier_client.post(detail, {**group, "provinces": [SHANGHAI]})
    assert clash.status_code == 422 and clash.context["group_form"].errors["provinces"]
    bad = supplier_client.post(detail, {**group, "provinces": [], "first_units": "0"})
    assert bad.status_code == 422 and "first_units" in bad.context["group_form"].errors
    assert supplier_client.post(detail, {"action": "use"}).status_code == 302
    assert CooperationTerms.objects.get(supplier=trade.supplier).shipping_template == template
    page = supplier_client.get(url)
    assert page.status_code == 200 and "華東快遞" in page.content.decode()
    dup = supplier_client.post(url, {"name": "華東快遞", "basis": "piece"})
    assert dup.status_code == 422 and dup.context["form"].errors["name"]


def test_price_breaks_own_prices_and_order_rules_on_the_sku_page(supplier_client, trade):
    url = reverse("suppliers:sku_prices", args=[trade.sku.pk])
    assert supplier_client.get(url).status_code == 200
    assert supplier_client.post(url, {"action": "add_break", "min_quantity": "10", "unit_price": "45.00"}).status_code == 302
    above = supplier_client.post(url, {"action": "add_break", "min_quantity": "20", "unit_price": "55.00"})
    assert above.status_code == 422 and above.context["break_form"].errors["unit_price"]
    again = supplier_client.post(url, {"action": "add_break", "min_quantity": "10", "unit_price": "44.00"})
    assert again.status_code == 422 and again.context["break_form"].errors["min_quantity"]
    assert list(PriceBreak.objects.filter(sku=trade.sku).values_list("min_quantity", "unit_price")) == [(10, D("45.00"))]
    override = {"action": "set_override", "reseller": trade.reseller.pk, "unit_price": "39.00"}
    assert supplier_client.post(url, override).status_code == 302
    assert PriceOverride.objects.get(sku=trade.sku).reseller == trade.reseller
    stranger = make_trade()
    refused = supplier_client.post(url, {**override, "reseller": stranger.reseller.pk})
    assert refused.status_code == 422 and refused.context["override_form"].errors["reseller"]
    assert supplier_client.post(url, {"action": "rules", "min_order_quantity": "6", "order_multiple": "3"}).status_code == 302
    assert SKU.objects.filter(pk=trade.sku.pk, min_order_quantity=6, order_multiple=3).exists()


def test_a_product_line_is_saved_with_products_tiers_and_resellers(supplier_client, trade):
    url = reverse("suppliers:product_lines")
    data = {"name": "VIP", "products": [trade.sku.product_id], "tiers": [trade.partnership.tier_id], "resellers": [trade.reseller.pk]}
    assert supplier_client.post(url, data).status_code == 302
    line = ProductLine.objects.get(supplier=trade.supplier)
    assert list(line.products.all()) == [trade.sku.product] and list(line.resellers.all()) == [trade.reseller]
    other = make_trade()
    bad = supplier_client.post(url, {**data, "name": "X", "products": [other.sku.product_id]})
    assert bad.status_code == 422 and bad.context["form"].errors["products"]
    edit = reverse("suppliers:product_line", args=[line.pk])
    assert supplier_client.get(edit).status_code == 200
    assert supplier_client.post(edit, {"action": "delete"}).status_code == 302
    assert not ProductLine.objects.exists()


def test_another_organisations_objects_answer_404(client, trade):
    mine = east_template(trade.supplier)
    line = ProductLine.objects.create(supplier=trade.supplier, name="VIP")
    group = ShippingRegionGroup.objects.filter(template=mine).first()
    other = make_trade()
    client.force_login(other.supplier_user)
    assert client.get(reverse("suppliers:shipping_template", args=[mine.pk])).status_code == 404
    assert client.post(reverse("suppliers:shipping_template", args=[mine.pk]), {"action": "use"}).status_code == 404
    assert client.get(reverse("suppliers:sku_prices", args=[trade.sku.pk])).status_code == 404
    assert (
        client.post(
            reverse("suppliers:sku_prices", args=[trade.sku.pk]), {"action": "rules", "min_order_quantity": "9", "order_multiple": "1"}
        ).status_code
        == 404
    )
    assert client.get(reverse("suppliers:product_line", args=[line.pk])).status_code == 404
    assert client.post(reverse("suppliers:product_line", args=[line.pk]), {"action": "delete"}).status_code == 404
    # a group of someone else's template, through one's own template
    theirs = east_template(other.supplier)
    response = client.post(reverse("suppliers:shipping_template", args=[theirs.pk]), {"action": "delete_group", "group": group.pk})
    assert response.status_code == 404 and ShippingRegionGroup.objects.filter(pk=group.pk).exists()
    assert other.supplier_user.pk != trade.supplier_user.pk
    client.force_login(trade.reseller_user)  # a reseller is no supplier
    assert client.get(reverse("suppliers:shipping_templates")).status_code in (302, 403, 404)


def test_the_pages_stay_within_fixed_queries(supplier_client, trade, django_assert_max_num_queries):
    east_template(trade.supplier)
    for quantity in (10, 20, 30):
        PriceBreak.objects.create(sku=trade.sku, min_quantity=quantity, unit_price=D(45 - quantity // 10))
    urls = [reverse("suppliers:shipping_templates"), reverse("suppliers:sku_prices", args=[trade.sku.pk])]
    for url in [*urls, reverse("suppliers:product_lines"), reverse("resellers:download_records")]:
        with django_assert_max_num_queries(14):
            assert supplier_client.get(url).status_code == 200


def test_download_records_show_who_published_what_where_when_and_at_what_price(supplier_client, trade):
    store_listing_publish(actor=trade.reseller_user, reseller=trade.reseller, items=[PublishItem(trade.sku.pk, Decimal("109.00"))])
    other = make_trade()
    store_listing_publish(actor=other.reseller_user, reseller=other.reseller, items=[PublishItem(other.sku.pk, Decimal("99.00"))])
    response = supplier_client.get(reverse("resellers:download_records"))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["counts"]["total"] == 1
    assert trade.sku.code in html and "109.00" in html and trade.reseller.name in html
    assert other.sku.code not in html  # another supplier's records are not shown


def test_the_po_form_quotes_live_with_the_terms(client, trade):
    client.force_login(trade.reseller_user)
    east_template(trade.supplier)
    data = {"sku": [trade.sku.pk], "quantity": ["1"], "retail_price": ["99.00"], **{f"addr-{k}": v for k, v in GUANGDONG_ADDRESS.items()}}
    response = client.post(reverse("procurement:reseller_po_quote"), data)
    assert response.status_code == 200
    [quote] = response.context["quotes"]
    assert (quote.goods, quote.shipping, quote.total) == (D("50.00"), D("15.00"), D("65.00"))
    assert "華東快遞" in response.content.decode()
    only_province = client.post(
        reverse("procurement:reseller_po_quote"),
        {"sku": [trade.sku.pk], "quantity": ["1"], "retail_price": ["99.00"], "addr-province": XINJIANG},
    )
    html = only_province.content.decode()
    assert only_province.status_code == 200 and "華東快遞" in html and 'role="alert"' in html and "po-quote" not in html
    nothing_yet = client.post(
        reverse("procurement:reseller_po_quote"), {"sku": [trade.sku.pk], "quantity": ["1"], "retail_price": ["99.00"]}
    )
    assert nothing_yet.context["quotes"][0].breakdown["method"] == "pending"
    page = client.get(reverse("procurement:reseller_po_place"), {"sku": trade.sku.pk})
    assert reverse("procurement:reseller_po_quote") in page.content.decode()


def test_the_supplier_sees_goods_shipping_commission_and_net(supplier_client, trade):
    east_template(trade.supplier)
    po = place(trade)  # 50.00 goods + 8.00 shipping to 浙江 (300 g), commission 5 %
    response = supplier_client.get(reverse("procurement:supplier_po_detail", args=[po.number]))
    money = response.context["money"]
    assert (money["goods"], money["shipping"], money["commission"], money["net"]) == (D("50.00"), D("8.00"), D("2.90"), D("55.10"))
    html = response.content.decode()
    assert 'id="shipping-breakdown"' in html and "55.10" in html
    assert ADDRESS["province"] == ZHEJIANG


def test_the_statement_line_of_a_release_shows_the_gross_the_commission_and_the_net(supplier_client, trade):
    east_template(trade.supplier)
    po = place(trade)  # 58.00 (50.00 goods + 8.00 shipping), 5 % commission
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="SF1")
    services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    response = supplier_client.get(reverse("settlement:wallet"))
    html = response.content.decode()
    assert response.status_code == 200 and "statement-split" in html
    assert "58.00" in html and "2.90" in html and "55.10" in html
    money = supplier_client.get(reverse("procurement:supplier_po_detail", args=[po.number])).context["money"]
    assert (money["commission"], money["net"], money["released"]) == (D("2.90"), D("55.10"), True)
