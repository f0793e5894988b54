"""Catalog search on the search table: both Chinese scripts, word order, codes, filters,
visibility, paging and counts, and the table following every change (issue 19)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from resellers import search
from resellers.models import SearchEntry
from resellers.search import CatalogQuery, search_catalog
from resellers.search_index import compile_query, normalise
from suppliers import services
from suppliers.models import Product
from suppliers.services import ProductChanges
from tests.resellers.conftest import MAX_PAGE_QUERIES
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def titles(world, q="", **kwargs) -> list[str]:
    page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q=q, **kwargs), per_page=200)
    return [p.shown_title for p in page.products]


def listed(supplier, title, *, code=None, **sku):
    product = ProductFactory(supplier=supplier, title=title)
    SKUFactory(product=product, **({"code": code} if code else {}), **sku)
    return product


@pytest.fixture
def garments(world):
    s = world["supplier"]
    return {
        "flask": listed(s, "不鏽鋼保溫杯 500ml"),
        "dress": listed(s, "真絲印花連衣裙 夏季"),
        "jeans": listed(s, "修身牛仔褲 男款"),
        "simplified": listed(s, "纯棉袜子 五双装"),
        "english": listed(s, "Organic Cotton Tote Bag"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("保温杯", "不鏽鋼保溫杯 500ml"),  # simplified query, traditional title
        ("不锈钢", "不鏽鋼保溫杯 500ml"),
        ("连衣裙", "真絲印花連衣裙 夏季"),
        ("真丝", "真絲印花連衣裙 夏季"),
        ("牛仔裤", "修身牛仔褲 男款"),
        ("純棉襪子", "纯棉袜子 五双装"),  # traditional query, simplified title
        ("ＣＯＴＴＯＮ", "Organic Cotton Tote Bag"),  # full-width capitals
        ("cotton tote", "Organic Cotton Tote Bag"),
        ("tote organic", "Organic Cotton Tote Bag"),
    ],
)
def test_either_script_width_and_case_find_the_product(world, garments, q, expected):
    assert titles(world, q) == [expected]


@pytest.mark.parametrize("q", ["真絲連衣裙", "真丝连衣裙", "連衣裙 真絲", "连衣裙真丝", "印花 夏季 真絲"])
def test_words_match_in_any_order_with_other_words_between(world, garments, q):
    assert titles(world, q) == ["真絲印花連衣裙 夏季"]


def test_every_word_is_required(world, garments):
    assert titles(world, "真絲 牛仔褲") == []
    assert titles(world, "cotton jeans") == []


def test_a_complete_word_matches_whole_words_and_only_the_word_being_typed_a_prefix(world):
    listed(world["supplier"], "Organic Cotton Tote Bag")
    listed(world["supplier"], "Cottonwood Tote 托特包")
    listed(world["supplier"], "LED台燈 護眼")
    listed(world["supplier"], "LEDS台燈 夜燈")
    # "cotton" is followed by another word: typed to the end, so "cottonwood" is not it
    assert titles(world, "cotton tote") == ["Organic Cotton Tote Bag"]
    # the query ends in it: it may still be being typed
    assert sorted(titles(world, "tote cotton")) == ["Cottonwood Tote 托特包", "Organic Cotton Tote Bag"]
    assert sorted(titles(world, "tote cott")) == ["Cottonwood Tote 托特包", "Organic Cotton Tote Bag"]
    # a Chinese character after the word ends it as well
    assert titles(world, "LED台灯") == ["LED台燈 護眼"]
    assert compile_query("wireless earbuds").tsquery == "'wireless' & 'earbuds':*"
    assert compile_query("Nordic 背包").tsquery == "'nordic' & '背包'"
    assert compile_query("cotton").tsquery == "'cotton':*"
    assert compile_query("ab").tsquery == "'ab'"  # too short for a prefix even when last


def test_a_longer_word_must_appear_as_written_not_just_its_character_pairs(world):
    listed(world["supplier"], "保溫 壺 溫杯 套裝")  # has the pairs 保溫 and 溫杯 but not 保溫杯
    assert titles(world, "保溫杯") == []
    assert titles(world, "保溫") == ["保溫 壺 溫杯 套裝"]


def test_query_normalisation_folds_scripts_width_and_case():
    assert normalise("ＣＯＴＴＯＮ 保溫杯") == "cotton 保温杯"
    compiled = compile_query("真絲連衣裙")
    assert compiled.words == ["真丝", "连衣裙"] and compiled.likes == ["%连衣裙%"]


def test_an_exact_sku_code_finds_its_product_in_any_case(world, garments):
    page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="ts-white-m"))
    assert page.code_match and [p.shown_title for p in page.products] == ["純棉短袖T恤 男款"]
    assert titles(world, "TS-BLACK-L") == ["純棉短袖T恤 男款"]


def test_an_inactive_sku_code_finds_nothing(world):
    product = ProductFactory(supplier=world["supplier"], title="停售商品")
    SKUFactory(product=product, code="GONE-001", is_active=False)
    assert titles(world, "GONE-001") == []


def test_relevance_puts_title_matches_before_matches_elsewhere(world):
    s = world["supplier"]
    listed(s, "夏季新款 背包", attributes={"材質": "保溫"})
    listed(s, "保溫杯 大容量")
    listed(s, "戶外 保溫杯")
    found = titles(world, "保溫")
    assert found[:2] == ["保溫杯 大容量", "戶外 保溫杯"] and found[2] == "夏季新款 背包"


def test_filters_combine_with_text(world, garments):
    other_category = CategoryFactory(name="杯具")
    flask = garments["flask"]
    Product.objects.filter(pk=flask.pk).update(category=other_category, province_code="440000")
    services_refresh(flask)
    assert titles(world, "保溫杯", category_id=other_category.pk) == ["不鏽鋼保溫杯 500ml"]
    assert titles(world, "保溫杯", province_code="330000") == []
    assert titles(world, "保溫杯", price_min=Decimal("44"), price_max=Decimal("46")) == ["不鏽鋼保溫杯 500ml"]  # 50 less 10 %
    assert titles(world, "保溫杯", price_min=Decimal("46")) == []
    assert titles(world, "保溫杯", supplier_id=SupplierFactory().pk) == []


def test_filters_with_text_are_facets_of_the_same_index_lookup(world, garments):
    # given: a two-level category tree, the flask in a leaf of it, out of stock
    parent = CategoryFactory(name="廚具")
    leaf = CategoryFactory(name="水杯", parent=parent)
    flask = garments["flask"]
    Product.objects.filter(pk=flask.pk).update(category=leaf, province_code="440000")
    flask.skus.update(on_hand=0)
    services_refresh(flask)
    # then: the parent category (its descendants), the location and the supplier find it; stock does not
    assert titles(world, "保溫杯", category_id=parent.pk, province_code="440000", supplier_id=world["supplier"].pk) == [
        "不鏽鋼保溫杯 500ml"
    ]
    assert titles(world, "保溫杯", in_stock=True) == []
    assert titles(world, "保溫杯", category_id=CategoryFactory().pk) == []
    # the facets are lexemes of the row's tokens, as the migration's SQL writes them for old rows
    from importlib import import_module

    facets_sql = import_module("resellers.migrations.0007_search_facets").FACETS_SQL
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tokens = ts_delete(tokens, %s::text[]) || {facets_sql}, "  # noqa: S608 (a constant)
            "tokens @@ %s::tsquery FROM resellers_searchentry WHERE product_id = %s",
            [[f"#c{leaf.pk}", f"#s{world['supplier'].pk}", "#p440000"], f"'#c{leaf.pk}' & '#p440000'", flask.pk],
        )
        assert cursor.fetchone() == (True, True)


def services_refresh(product):
    from resellers.search_index import refresh_products

    refresh_products([product.pk])


# --- visibility ------------------------------------------------------------------------------------


def test_hidden_suppliers_delisted_and_unreviewed_products_never_appear_not_even_by_code(world):
    from accounts.models import Penalty

    suspended = SupplierFactory(suspended=True)
    penalised = SupplierFactory()
    Penalty.objects.create(organisation=penalised.organisation, rule="R9", description="x", sanction=Penalty.Sanction.LISTING_REMOVAL)
    listed(suspended, "保溫杯 停權供應商", code="HID-001")
    listed(penalised, "保溫杯 受罰供應商", code="HID-002")
    SKUFactory(product=ProductFactory(supplier=world["supplier"], title="保溫杯 已下架", delisted=True), code="HID-003")
    SKUFactory(product=ProductFactory(supplier=world["supplier"], title="保溫杯 審核中", pending=True), code="HID-004")
    SKUFactory(product=ProductFactory(supplier=world["supplier"], title="保溫杯 草稿", draft=True), code="HID-005")
    listed(world["supplier"], "保溫杯 可見")
    assert titles(world, "保溫杯") == ["保溫杯 可見"]
    assert titles(world) == ["保溫杯 可見", "純棉短袖T恤 男款"]
    for n in range(1, 6):
        assert titles(world, f"HID-00{n}") == []


def test_a_listing_penalty_hides_and_its_end_shows_again_without_rewriting_rows(world, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Penalty

    other = SupplierFactory()
    listed(other, "保溫杯 其他供應商")
    now = timezone.now()
    Penalty.objects.create(
        organisation=other.organisation, rule="R9", description="x", sanction=Penalty.Sanction.SUSPEND_LISTING,
        starts_at=now, ends_at=now + timedelta(days=3),
    )  # fmt: skip
    assert titles(world, "保溫杯") == []
    time_machine.move_to(now + timedelta(days=3, seconds=1))
    assert titles(world, "保溫杯") == ["保溫杯 其他供應商"]


# --- paging and counts ------------------------------------------------------------------------------


def test_keyset_pages_show_every_match_once_in_order(world):
    for i in range(23):
        listed(world["supplier"], f"保溫杯 {i:02d}")
    seen, cursor = [], ""
    for _ in range(5):
        page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="保溫杯", cursor=cursor), per_page=10)
        seen += [p.shown_title for p in page.products]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 23 and len(set(seen)) == 23
    assert seen == titles(world, "保溫杯")


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc"])
def test_keyset_pages_for_every_sort(world, sort):
    for i in range(7):
        listed(world["supplier"], f"背包 {i}", supply_price_amount=Decimal(10 + i % 3), min_retail_amount=Decimal(20),
               suggested_retail_amount=Decimal(30), max_retail_amount=Decimal(40))  # fmt: skip
    seen, cursor = [], ""
    while True:
        page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="背包", sort=sort, cursor=cursor), per_page=3)
        seen += [p.pk for p in page.products]
        cursor = page.next_cursor
        if not cursor:
            break
    everything = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="背包", sort=sort), per_page=50)
    assert seen == [p.pk for p in everything.products] and len(seen) == 7


def test_a_forged_cursor_starts_at_the_first_page(world):
    page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="T恤", cursor="not-a-cursor"))
    assert [p.shown_title for p in page.products] == ["純棉短袖T恤 男款"]


def test_large_results_show_an_estimated_count(reseller_client, world, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    for i in range(8):
        listed(world["supplier"], f"保溫杯 {i}")
    page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="保溫杯"))
    assert page.count_estimated and page.count > 5
    html = reseller_client.get(reverse("resellers:catalog"), {"q": "保溫杯", "per_page": 3}).content.decode()
    assert "About " in html and "rel=\"next\"" in html


def test_the_catalog_page_pages_with_next_and_first_links(reseller_client, world):
    for i in range(4):
        listed(world["supplier"], f"保溫杯 {i}")
    first = reseller_client.get(reverse("resellers:catalog"), {"q": "保溫杯", "per_page": 3})
    assert first.content.decode().count("product-card") == 3 and "4 products" in first.content.decode()
    cursor = first.context["result"].next_cursor
    second = reseller_client.get(reverse("resellers:catalog"), {"q": "保溫杯", "per_page": 3, "cursor": cursor}).content.decode()
    assert second.count("product-card") == 1 and "First page" in second


def test_the_estimated_count_reads_in_chinese(client, world, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    for i in range(4):
        listed(world["supplier"], f"保溫杯 {i}")
    client.force_login(world["user"])
    html = client.get(reverse("resellers:catalog"), {"q": "保溫杯"}, headers={"accept-language": "zh-hant"}).content.decode()
    assert "約 " in html and "件商品" in html


def test_the_catalog_page_query_count_does_not_grow_with_categories(reseller_client, world, count_queries):
    def page():
        return reseller_client.get(reverse("resellers:catalog"), {"q": "T恤"})

    few, _ = count_queries(page)
    for i in range(10):
        top = CategoryFactory(name=f"大類{i}")
        CategoryFactory(name=f"小類{i}", parent=CategoryFactory(name=f"中類{i}", parent=top))
    many, response = count_queries(page)
    assert few == many <= MAX_PAGE_QUERIES
    assert "\u3000\u3000└ 小類3</option>" in response.content.decode()  # the new leaf, indented under its parents


def test_the_admin_product_list_query_count_does_not_grow_with_categories(client, world, count_queries):
    staff = get_user_model().objects.create_superuser("admin@platform.test", "x-Strong-pass-2026")
    client.force_login(staff)

    def page():
        return client.get(reverse("admin:suppliers_product_changelist"))

    for i in range(3):
        ProductFactory(supplier=world["supplier"], category=CategoryFactory(name=f"葉{i}", parent=CategoryFactory(name=f"枝{i}")))
    few, response = count_queries(page)
    assert response.status_code == 200
    for i in range(3, 15):
        ProductFactory(supplier=world["supplier"], category=CategoryFactory(name=f"葉{i}", parent=CategoryFactory(name=f"枝{i}")))
    many, response = count_queries(page)
    assert few == many
    assert "枝7 › 葉7" in response.content.decode()


# --- the table follows every change --------------------------------------------------------------------


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("reviewer@platform.test", "x-Strong-pass-2026", is_staff=True)


def test_approval_lists_and_delisting_removes(world, staff_user):
    product = ProductFactory(supplier=world["supplier"], title="羊毛圍巾 新品", pending=True)
    SKUFactory(product=product)
    assert titles(world, "羊毛围巾") == []
    services.product_approve(actor=staff_user, product=product)
    assert titles(world, "羊毛围巾") == ["羊毛圍巾 新品"]
    services.product_delist(actor=staff_user, product=product, reason="停產")
    assert titles(world, "羊毛围巾") == [] and not SearchEntry.objects.filter(product=product).exists()


def test_an_edited_title_is_searchable_once_approved(world, staff_user):
    manager = member(world["supplier"], "manager")
    product = world["product"]
    services.product_update(actor=manager, product=product, changes=ProductChanges(fields={"title": "亞麻短袖襯衫"}))
    assert titles(world, "亞麻") == [] and titles(world, "T恤") == ["純棉短袖T恤 男款"]
    services.product_approve(actor=staff_user, product=Product.objects.get(pk=product.pk))
    assert titles(world, "亚麻衬衫") == ["亞麻短袖襯衫"] and titles(world, "T恤") == []


def test_sku_changes_reach_the_table_after_commit(world, run_outbox):
    manager = member(world["supplier"], "manager")
    for sku in (world["sku_a"], world["sku_b"]):
        services.sku_set_stock(actor=manager, sku=sku, on_hand=0, reason="盤點")
    run_outbox()
    assert titles(world, "T恤", in_stock=True) == []
    services.sku_update(actor=manager, sku=world["sku_a"], values={"code": "TS-LINEN-XL"})
    assert titles(world, "ts-linen-xl") == ["純棉短袖T恤 男款"]
    services.sku_set_stock(actor=manager, sku=world["sku_a"], on_hand=5, reason="到貨")
    run_outbox()
    assert titles(world, "T恤", in_stock=True) == ["純棉短袖T恤 男款"]


def test_a_renamed_supplier_is_found_by_its_new_name(client, world, run_outbox):
    staff = get_user_model().objects.create_superuser("admin@platform.test", "x-Strong-pass-2026")
    client.force_login(staff)
    url = reverse("admin:suppliers_supplier_change", args=[world["supplier"].pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["company_name"] = "寧波海曙紡織品有限公司"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    run_outbox()
    assert titles(world, "宁波海曙") == ["純棉短袖T恤 男款"]


def test_rebuild_search_index_restores_the_table(world, garments):
    SearchEntry.objects.all().delete()
    Product.objects.filter(pk=garments["jeans"].pk).update(status=Product.Status.DELISTED)
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert titles(world, "牛仔裤") == []
    assert titles(world, "保温杯") == ["不鏽鋼保溫杯 500ml"]
    assert SearchEntry.objects.count() == 5


def test_a_page_is_one_statement_with_names_and_approved_images(world, django_assert_num_queries):
    from suppliers.models import ProductImage

    ProductImage.objects.create(product=world["product"], image="products/front.jpg", position=1, approved=True)
    ProductImage.objects.create(product=world["product"], image="products/draft.jpg", position=0, approved=False)
    with django_assert_num_queries(1):  # names and images come with the page's rows, nothing loads afterwards
        product = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="T恤")).products[0]
        shown = (product.shown_title, product.brand, product.supplier.company_name, product.category.name)
        images = [image.image.name for image in product.shown_images]
    assert shown == ("純棉短袖T恤 男款", "優品", "杭州優品服飾有限公司", world["product"].category.name)
    assert images == ["products/front.jpg"]


def test_a_code_no_sku_has_is_searched_as_text(world):
    page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="TS-WHITE"))  # part of TS-WHITE-M
    assert not page.code_match and [p.shown_title for p in page.products] == ["純棉短袖T恤 男款"]


def test_more_matches_than_candidates_show_an_estimate(world, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    for i in range(8):
        listed(world["supplier"], f"保溫杯 {i}")
    page = search_catalog(reseller=world["reseller"], query=CatalogQuery(q="保溫杯"), per_page=2)
    assert page.count_estimated and page.count >= 4 and len(page.products) == 2 and page.next_cursor
