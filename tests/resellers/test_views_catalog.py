from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from resellers.search import CatalogQuery, catalog_search
from suppliers.models import ChannelType, Product
from tests.resellers.conftest import MAX_PAGE_QUERIES
from tests.suppliers.factories import (
    CategoryFactory,
    CooperationTermsFactory,
    ProductFactory,
    SKUFactory,
    SupplierFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(world):
    """Realistic titles across two suppliers; ``world``'s T-shirt belongs to the partnered supplier."""
    apparel = world["product"].category
    electronics = CategoryFactory(name="數碼")
    audio = CategoryFactory(name="耳機", parent=electronics)
    other = SupplierFactory(company_name="深圳聲學科技有限公司")
    TierFactory(supplier=other)
    earphones = ProductFactory(supplier=other, title="Bluetooth Earphones 藍牙耳機 降噪", brand="SoundMax", category=audio,
                               province_code="440000", city_code="440300")
    SKUFactory(product=earphones, code="BT-EAR-01", supply_price_amount=Decimal("120.00"), suggested_retail_amount=Decimal("199.00"),
               min_retail_amount=Decimal("159.00"), max_retail_amount=Decimal("259.00"))
    dress = ProductFactory(supplier=world["supplier"], title="真絲連衣裙 夏季", brand="優品", category=apparel)
    SKUFactory(product=dress, code="DRESS-S", on_hand=0)
    socks = ProductFactory(supplier=other, title="棉襪 五雙裝", brand="暖足", category=apparel, province_code="440000", city_code="440300")
    SKUFactory(product=socks, code="SOCK-5", supply_price_amount=Decimal("10.00"), suggested_retail_amount=Decimal("29.90"),
               min_retail_amount=Decimal("19.90"), max_retail_amount=Decimal("39.90"))
    hidden = ProductFactory(supplier=world["supplier"], title="純棉短袖T恤 草稿", draft=True)
    SKUFactory(product=hidden)
    suspended = ProductFactory(supplier=SupplierFactory(suspended=True), title="純棉短袖T恤 停權")
    SKUFactory(product=suspended)
    return {"tshirt": world["product"], "earphones": earphones, "dress": dress, "socks": socks, "other": other, "audio": audio,
            "electronics": electronics}


def titles(world, **kwargs) -> list[str]:
    return [p.shown_title for p in catalog_search(reseller=world["reseller"], query=CatalogQuery(**kwargs))]


@pytest.mark.parametrize("q", ["短袖", "T恤", "t恤", "純棉短袖"])
def test_chinese_substrings_find_the_tshirt(world, catalog, q):
    assert titles(world, q=q) == ["純棉短袖T恤 男款"]


def test_a_single_chinese_character_finds_every_title_containing_it_best_first(world, catalog):
    assert set(titles(world, q="棉")) == {"純棉短袖T恤 男款", "棉襪 五雙裝"}
    assert titles(world, q="棉")[0] == "棉襪 五雙裝"  # the title starting with the term ranks first


@pytest.mark.parametrize("q", ["bluetooth", "Bluetooth", "EARPHONES", "藍牙", "soundmax", "BT-EAR"])
def test_english_words_brand_and_sku_code_find_the_earphones(world, catalog, q):
    assert titles(world, q=q) == ["Bluetooth Earphones 藍牙耳機 降噪"]


def test_the_supplier_name_finds_its_products(world, catalog):
    assert set(titles(world, q="深圳聲學")) == {"Bluetooth Earphones 藍牙耳機 降噪", "棉襪 五雙裝"}


def test_every_term_must_match(world, catalog):
    assert titles(world, q="純棉 男款") == ["純棉短袖T恤 男款"]
    assert titles(world, q="純棉 bluetooth") == []


def test_wildcards_in_the_query_are_literal(world, catalog):
    assert titles(world, q="%") == [] and titles(world, q="_") == []


def test_drafts_and_suspended_suppliers_are_never_found(world, catalog):
    assert "純棉短袖T恤 草稿" not in titles(world) and "純棉短袖T恤 停權" not in titles(world)


def test_pending_edits_are_not_searchable_until_approved(world, catalog):
    Product.objects.filter(pk=catalog["tshirt"].pk).update(title="羊毛大衣", has_pending_changes=True)
    assert titles(world, q="羊毛") == []
    assert titles(world, q="短袖") == ["純棉短袖T恤 男款"]


def test_category_filter_includes_descendants(world, catalog):
    assert titles(world, category_id=catalog["electronics"].pk) == ["Bluetooth Earphones 藍牙耳機 降噪"]


def test_location_supplier_stock_and_channel_filters(world, catalog):
    assert set(titles(world, province_code="440000")) == {"Bluetooth Earphones 藍牙耳機 降噪", "棉襪 五雙裝"}
    assert set(titles(world, supplier_id=world["supplier"].pk)) == {"純棉短袖T恤 男款", "真絲連衣裙 夏季"}
    assert "真絲連衣裙 夏季" not in titles(world, in_stock=True)
    CooperationTermsFactory(supplier=catalog["other"], accepted_channel_types=[ChannelType.MALL_STORE])
    CooperationTermsFactory(supplier=world["supplier"], accepted_channel_types=[])
    assert set(titles(world, my_channel=True)) == {"純棉短袖T恤 男款", "真絲連衣裙 夏季"}  # reseller is a C-store


def test_price_filter_uses_the_tier_price_where_partnered_else_suggested_retail(world, catalog):
    # T-shirt: partnered, 50 less 10% = 45; earphones: not partnered, suggested 199
    assert "純棉短袖T恤 男款" in titles(world, price_min=Decimal("44"), price_max=Decimal("46"))
    assert "純棉短袖T恤 男款" not in titles(world, price_min=Decimal("90"), price_max=Decimal("100"))
    assert titles(world, price_min=Decimal("150")) == ["Bluetooth Earphones 藍牙耳機 降噪"]


def test_sorting_by_price(world, catalog):
    ordered = titles(world, sort="price_asc")
    assert ordered[0] == "棉襪 五雙裝" and ordered[-1] == "Bluetooth Earphones 藍牙耳機 降噪"


def test_search_page_shows_supply_price_only_for_partnered_suppliers(reseller_client, catalog):
    html = reseller_client.get(reverse("resellers:catalog")).content.decode()
    assert "¥45.00" in html  # the tier price of the partnered T-shirt
    assert "120.00" not in html and "108.00" not in html  # nothing of the unpartnered supplier's supply price
    assert "Apply to see prices" in html


def test_search_page_validates_the_price_range(reseller_client, catalog):
    response = reseller_client.get(reverse("resellers:catalog"), {"price_min": "100", "price_max": "10"})
    assert "must not be below" in response.content.decode()


def test_search_page_htmx_renders_only_the_results(reseller_client, catalog):
    response = reseller_client.get(reverse("resellers:catalog"), {"q": "藍牙"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Bluetooth Earphones" in html and "<html" not in html


def test_search_page_query_count_does_not_grow_with_page_size(reseller_client, world, count_queries):
    def add(n, start):
        for i in range(start, start + n):
            SKUFactory(product=ProductFactory(supplier=world["supplier"], title=f"純棉背心 {i}"))

    def search():
        return reseller_client.get(reverse("resellers:catalog"), {"q": "純棉", "per_page": 200})

    add(3, 0)
    few, response = count_queries(search)
    assert response.content.decode().count("product-card") == 4
    add(40, 3)
    many, response = count_queries(search)
    assert response.content.decode().count("product-card") == 44
    assert few == many <= MAX_PAGE_QUERIES


def test_product_page_shows_skus_tier_prices_and_the_publish_form(reseller_client, world):
    html = reseller_client.get(reverse("resellers:catalog_product", args=[world["product"].pk])).content.decode()
    assert "TS-WHITE-M" in html and "TS-BLACK-L" in html
    assert "¥45.00" in html and "浙江省 杭州市" in html
    assert "Publish to my store" in html


def test_product_page_of_an_unpartnered_supplier_hides_supply_price(reseller_client, catalog):
    html = reseller_client.get(reverse("resellers:catalog_product", args=[catalog["earphones"].pk])).content.decode()
    assert "120.00" not in html and "108.00" not in html
    assert "Apply to see prices" in html and "Publish to my store" not in html


def test_product_page_of_a_draft_is_404(reseller_client, world):
    draft = ProductFactory(supplier=world["supplier"], draft=True)
    assert reseller_client.get(reverse("resellers:catalog_product", args=[draft.pk])).status_code == 404


def test_product_page_fills_prices_by_a_rule(reseller_client, world):
    url = reverse("resellers:catalog_product", args=[world["product"].pk])
    html = reseller_client.get(url, {"rule": "factor_90", "factor": "2.2"}).content.decode()
    assert 'value="98.90"' in html


def test_supplier_profile_shows_terms_tiers_posts_and_product_count(reseller_client, world, catalog):
    from suppliers.models import RecruitmentPost

    CooperationTermsFactory(supplier=catalog["other"], text="七天無理由退貨", accepted_channel_types=[ChannelType.MALL_STORE])
    tier = TierFactory(supplier=catalog["other"], name="銀牌", discount_percent=Decimal("5"))
    RecruitmentPost.objects.create(supplier=catalog["other"], title="誠招天貓分銷商", body="歡迎", tier=tier)
    html = reseller_client.get(reverse("partners:supplier_profile", args=[catalog["other"].pk])).content.decode()
    for text in ["深圳聲學科技有限公司", "七天無理由退貨", "銀牌", "誠招天貓分銷商", "Apply to become a reseller"]:
        assert text in html
    assert "Tmall/mall store" in html


def test_supplier_profile_of_an_inactive_supplier_is_404(reseller_client, db):
    assert reseller_client.get(reverse("partners:supplier_profile", args=[SupplierFactory(pending=True).pk])).status_code == 404


def test_the_old_catalog_supplier_address_redirects_permanently_to_the_canonical_profile(reseller_client, world):
    response = reseller_client.get(reverse("resellers:catalog_supplier", args=[world["supplier"].pk]))
    assert response.status_code == 301
    assert response["Location"] == reverse("partners:supplier_profile", args=[world["supplier"].pk])


def test_supplier_profile_shows_a_partnered_reseller_its_tier_and_no_apply_button(reseller_client, world):
    html = reseller_client.get(reverse("partners:supplier_profile", args=[world["supplier"].pk])).content.decode()
    assert "Partnered · " in html
    assert "Apply to become a reseller" not in html
    assert "Supply price" not in html


def test_catalog_links_to_the_canonical_supplier_profile(reseller_client, world):
    html = reseller_client.get(reverse("resellers:catalog_product", args=[world["product"].pk])).content.decode()
    assert reverse("partners:supplier_profile", args=[world["supplier"].pk]) in html
    assert "/catalog/suppliers/" not in html


def test_catalog_is_for_resellers(client, world):
    client.force_login(world["supplier_user"])
    assert client.get(reverse("resellers:catalog")).status_code == 403


def test_title_search_is_served_by_the_trigram_index(world, catalog):
    from django.db import connection

    qs = catalog_search(reseller=world["reseller"], query=CatalogQuery(q="短袖T恤"))
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # the tables are tiny here, so a scan would win; forbid scans to show the index can serve the search
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "resellers_trgm_product_title" in plan


def test_supplier_profile_shows_the_median_first_response(reseller_client, world, monkeypatch):
    import types
    from datetime import timedelta

    from suppliers.selectors import partnerships as selectors_partners

    monkeypatch.setattr(
        selectors_partners, "supplier_response_time",
        lambda supplier: types.SimpleNamespace(median=timedelta(hours=2, minutes=10), threads=3),
    )  # fmt: skip
    html = reseller_client.get(reverse("partners:supplier_profile", args=[world["supplier"].pk])).content.decode()
    assert '<div class="fs-4" data-testid="response-time">2 h 10 min</div>' in html


@pytest.mark.parametrize(("minutes", "label"), [(0, "1 min"), (45, "45 min"), (130, "2 h"), (60 * 24 * 3, "3 d")])
def test_duration_labels(minutes, label):
    from datetime import timedelta

    from resellers.selectors import duration_label

    assert duration_label(timedelta(minutes=minutes)) == label


def _suspend_listing(supplier, **kwargs):
    from accounts.models import Penalty

    return Penalty.objects.create(
        organisation=supplier.organisation, rule="R9", description="listing suspended", sanction=Penalty.Sanction.SUSPEND_LISTING, **kwargs
    )


def test_a_supplier_under_a_suspend_listing_penalty_is_hidden_from_search_product_and_profile(reseller_client, world, catalog):
    _suspend_listing(catalog["other"])
    assert "棉襪 五雙裝" not in titles(world, q="棉")
    assert reseller_client.get(reverse("resellers:catalog_product", args=[catalog["socks"].pk])).status_code == 404
    html = reseller_client.get(reverse("resellers:catalog")).content.decode()
    assert "藍牙耳機" not in html and "純棉短袖T恤 男款" in html
    profile = reseller_client.get(reverse("partners:supplier_profile", args=[catalog["other"].pk])).content.decode()
    assert '<div class="fs-4" data-testid="product-count">0</div>' in profile


def test_an_ended_or_revoked_listing_penalty_shows_the_products_again(world, catalog):
    from datetime import timedelta

    from django.utils import timezone

    _suspend_listing(catalog["other"], ends_at=timezone.now() - timedelta(minutes=1))
    _suspend_listing(catalog["other"], revoked_at=timezone.now())
    assert "棉襪 五雙裝" in titles(world, q="棉")


def test_a_suspended_supplier_profile_is_404_and_its_products_hidden(reseller_client, world, catalog):
    from suppliers.models import Supplier

    Supplier.objects.filter(pk=catalog["other"].pk).update(status=Supplier.Status.SUSPENDED)
    assert "棉襪 五雙裝" not in titles(world, q="棉")
    assert reseller_client.get(reverse("resellers:catalog_product", args=[catalog["socks"].pk])).status_code == 404
    assert reseller_client.get(reverse("partners:supplier_profile", args=[catalog["other"].pk])).status_code == 404


def test_the_supplier_filter_offers_only_suppliers_resellers_may_see(reseller_client, world, catalog):
    from accounts.models import Penalty

    penalised = SupplierFactory(company_name="停權供應商")
    Penalty.objects.create(organisation=penalised.organisation, rule="R9", description="x", sanction=Penalty.Sanction.SUSPEND_LISTING)
    suspended = SupplierFactory(suspended=True)
    response = reseller_client.get(reverse("resellers:catalog"))
    offered = set(response.context["form"].fields["supplier"].queryset.values_list("pk", flat=True))
    assert {world["supplier"].pk, catalog["other"].pk} <= offered
    assert penalised.pk not in offered and suspended.pk not in offered
    select = str(response.context["form"]["supplier"])
    assert select in response.content.decode()
    assert f'value="{catalog["other"].pk}"' in select and f'value="{penalised.pk}"' not in select
