"""The supplier's catalog pages: access, isolation between suppliers, forms, bounded queries."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from suppliers.models import SKU, ImportJob, Product, StockAdjustment
from tests.suppliers.catalog_helpers import image_upload, member
from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def manager(supplier):
    return member(supplier, "manager")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def sku_rows(*rows, existing=0):
    data = {"skus-TOTAL_FORMS": str(len(rows)), "skus-INITIAL_FORMS": str(existing), "skus-MIN_NUM_FORMS": "0", "skus-MAX_NUM_FORMS": "100"}
    for i, values in enumerate(rows):
        for key, value in values.items():
            data[f"skus-{i}-{key}"] = value
    return data


def sku_row(code, **kw):
    values = {
        "code": code, "attributes": "顏色=白; 尺碼=M", "supply_price_amount": "50.00", "suggested_retail_amount": "99.00",
        "min_retail_amount": "79.00", "max_retail_amount": "129.00", "weight_grams": "300", "on_hand": "20",
        "is_active": "on",
    }  # fmt: skip
    values.update(kw)
    return values


def product_post(category, **kw):
    data = {
        "title": "純棉T恤", "description": "<p>好<script>x()</script></p>", "category": str(category.pk), "brand": "棉良",
        "province_code": "330000", "city_code": "330100",
    }  # fmt: skip
    data.update(kw)
    return data


# --- create, edit, submit -------------------------------------------------------------------


def test_manager_creates_a_product_with_two_skus_and_submits_it(manager_client, supplier):
    category = CategoryFactory()
    data = {**product_post(category), **sku_rows(sku_row("T-W-M"), sku_row("T-B-L", attributes="顏色=黑; 尺碼=L"))}
    data["images"] = [image_upload("a.png"), image_upload("b.jpg", "JPEG")]
    data["submit_for_review"] = "1"

    response = manager_client.post(reverse("suppliers:product_create"), data)

    product = Product.objects.get(supplier=supplier)
    assert response.status_code == 302 and response.url == reverse("suppliers:product_detail", args=[product.pk])
    assert product.status == Product.Status.PENDING_REVIEW
    assert "<script>" not in product.description
    assert sorted(product.skus.values_list("code", flat=True)) == ["T-B-L", "T-W-M"]
    assert product.images.count() == 2


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"min_retail_amount": "150.00"}, "max_retail_amount", "must not be below the minimum"),
        ({"supply_price_amount": "80.00"}, "supply_price_amount", "must not be above the minimum retail price"),
        ({"supply_price_amount": "50.123"}, "supply_price_amount", "2 decimal places"),
        ({"supply_price_amount": "0"}, "supply_price_amount", "greater than or equal to 0.01"),
        ({"on_hand": "-1"}, "on_hand", "greater than or equal to 0"),
        ({"attributes": "顏色白"}, "attributes", "name=value"),
    ],
)
def test_sku_mistakes_are_answered_field_by_field(manager_client, row, field, message):
    data = {**product_post(CategoryFactory()), **sku_rows(sku_row("T-1", **row))}

    response = manager_client.post(reverse("suppliers:product_create"), data)

    assert response.status_code == 422
    errors = response.context["formset"].forms[0].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Product.objects.exists()


def test_duplicate_sku_codes_are_refused_on_the_page_and_against_existing_skus(manager_client, supplier):
    SKUFactory(product=ProductFactory(supplier=supplier), code="TAKEN")
    data = {**product_post(CategoryFactory()), **sku_rows(sku_row("DUP"), sku_row("DUP"), sku_row("TAKEN"))}

    response = manager_client.post(reverse("suppliers:product_create"), data)

    assert response.status_code == 422
    forms = response.context["formset"].forms
    assert "used twice" in forms[1].errors["code"][0]
    assert "already used" in forms[2].errors["code"][0]


def test_imported_product_cannot_be_submitted_without_documents_message_names_them(manager_client, supplier):
    data = {**product_post(CategoryFactory(), is_imported="on"), **sku_rows(sku_row("IMP-1")), "submit_for_review": "1"}

    response = manager_client.post(reverse("suppliers:product_create"), data, follow=True)

    product = Product.objects.get(supplier=supplier)
    assert product.status == Product.Status.DRAFT
    assert "customs declaration" in response.content.decode().lower()


def test_non_image_upload_is_refused_by_the_form(manager_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**product_post(CategoryFactory()), **sku_rows(), "images": [SimpleUploadedFile("x.png", b"not an image")]}
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    assert "JPEG, PNG or WebP" in " ".join(response.context["form"].errors["images"])


def test_city_must_be_in_the_province(manager_client):
    data = {**product_post(CategoryFactory(), city_code="310100"), **sku_rows()}
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422 and "city_code" in response.context["form"].errors


def test_city_options_follow_the_province(manager_client):
    response = manager_client.get(reverse("suppliers:city_options"), {"province_code": "330000"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'value="330100"' in body and "杭州市" in body
    assert 'value="310100"' not in body


def test_editing_a_listed_product_title_goes_to_review_and_price_edit_applies(manager_client, supplier):
    product = ProductFactory(supplier=supplier, title="舊標題")
    sku = SKUFactory(product=product, code="E-1")
    row = sku_row("E-1", sku_id=str(sku.pk), max_retail_amount="139.00")
    data = {**product_post(product.category, title="新標題", description=product.description), **sku_rows(row, existing=1)}

    response = manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), data)

    assert response.status_code == 302
    product = Product.objects.get(pk=product.pk)
    assert product.status == Product.Status.LISTED and product.has_pending_changes and product.approved_title == "舊標題"
    sku.refresh_from_db()
    assert str(sku.max_retail_amount) == "139.00" and sku.is_active
    assert sku.on_hand == 100  # stock is not changed from the edit form


# --- detail, stock, delist -----------------------------------------------------------------


def test_detail_shows_skus_history_and_rejection_reason(manager_client, supplier):
    product = ProductFactory(supplier=supplier, status=Product.Status.REJECTED, status_reason="圖片模糊")
    SKUFactory(product=product, code="D-1")
    response = manager_client.get(reverse("suppliers:product_detail", args=[product.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "D-1" in body and "圖片模糊" in body


def test_a_rule_code_in_the_rejection_reason_comes_with_the_rules_title(manager_client, supplier):
    from compliance.rules import RULES

    product = ProductFactory(supplier=supplier, status=Product.Status.REJECTED, status_reason="產地標示不實 (R3)")
    body = manager_client.get(reverse("suppliers:product_detail", args=[product.pk])).content.decode()
    assert 'data-rule="R3">R3 ' in body and str(RULES["R3"].title) in body


def test_stock_adjustment_by_htmx_returns_the_updated_row(manager_client, supplier):
    sku = SKUFactory(product=ProductFactory(supplier=supplier), on_hand=10)
    response = manager_client.post(
        reverse("suppliers:sku_stock_adjust", args=[sku.pk]), {"mode": "delta", "quantity": "5", "reason": "到貨"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="sku-{sku.pk}"' in response.content.decode() and ">15<" in response.content.decode()
    assert StockAdjustment.objects.get(sku=sku).reason == "到貨"


def test_stock_adjustment_below_reserved_shows_the_reason(manager_client, supplier):
    sku = SKUFactory(product=ProductFactory(supplier=supplier), on_hand=10, reserved=6)
    response = manager_client.post(
        reverse("suppliers:sku_stock_adjust", args=[sku.pk]), {"mode": "set", "quantity": "2", "reason": "盤點"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps the row, which carries the refusal
    assert 'role="alert"' in response.content.decode() and "6 units are reserved" in response.content.decode()
    assert SKU.objects.get(pk=sku.pk).on_hand == 10


def test_supplier_delists_with_reason(manager_client, supplier):
    product = ProductFactory(supplier=supplier)
    manager_client.post(reverse("suppliers:product_delist", args=[product.pk]), {"reason": "停產"})
    assert Product.objects.get(pk=product.pk).status == Product.Status.DELISTED


# --- list ------------------------------------------------------------------------------------


def test_list_filters_by_status_and_search_and_counts_what_needs_action(manager_client, supplier):
    ProductFactory(supplier=supplier, title="紅色外套", status=Product.Status.REJECTED)
    low = ProductFactory(supplier=supplier, title="藍色褲子")
    SKUFactory(product=low, code="PANTS-1", on_hand=2)
    ProductFactory(title="別家的外套")  # another supplier's

    response = manager_client.get(reverse("suppliers:product_list"), {"q": "外套"})
    assert [p.title for p in response.context["products"]] == ["紅色外套"]
    assert response.context["counts"]["rejected"] == 1
    assert response.context["counts"]["low_stock"] == 1

    by_code = manager_client.get(reverse("suppliers:product_list"), {"q": "PANTS"})
    assert [p.title for p in by_code.context["products"]] == ["藍色褲子"]
    listed = manager_client.get(reverse("suppliers:product_list"), {"status": "listed"})
    assert [p.title for p in listed.context["products"]] == ["藍色褲子"]


@pytest.mark.parametrize("count", [5, 50])
def test_list_page_runs_a_fixed_number_of_queries(manager_client, supplier, count, django_assert_max_num_queries):
    category = CategoryFactory()
    for i in range(count):
        product = ProductFactory(supplier=supplier, category=category)
        SKUFactory(product=product, code=f"Q-{i}-a")
        SKUFactory(product=product, code=f"Q-{i}-b")
    # 12 for the page + the navbar badges (pending applications, unread messages): constants, not per row
    with django_assert_max_num_queries(14):
        response = manager_client.get(reverse("suppliers:product_list"), {"per_page": 50})
    assert response.status_code == 200
    assert len(response.context["products"]) == count


def test_empty_list_says_what_to_do(manager_client):
    body = manager_client.get(reverse("suppliers:product_list")).content.decode()
    assert "You have no products yet" in body


# --- import pages --------------------------------------------------------------------------


def test_import_page_queues_a_job_and_the_progress_partial_polls(manager_client, supplier, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", b"sku_code,supply_price,suggested_retail_price,min_retail_price,max_retail_price\n")
    with django_capture_on_commit_callbacks(execute=False):
        response = manager_client.post(reverse("suppliers:import"), {"file": upload})
    job = ImportJob.objects.get(supplier=supplier)
    assert response.url == reverse("suppliers:import_detail", args=[job.pk])

    partial = manager_client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial


def test_export_downloads_csv_and_xlsx(manager_client, supplier):
    SKUFactory(product=ProductFactory(supplier=supplier), code="EX-1")
    csv_response = manager_client.get(reverse("suppliers:export"), {"format": "csv"})
    body = b"".join(csv_response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and "EX-1" in body
    xlsx = manager_client.get(reverse("suppliers:export"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


# --- who may see and do what ---------------------------------------------------------------


def _foreign_urls():
    other = SupplierFactory()
    product = ProductFactory(supplier=other)
    sku = SKUFactory(product=product)
    job = ImportJob.objects.create(supplier=other, file="imports/x.csv", original_name="x.csv")
    return (
        [
            ("get", reverse("suppliers:product_detail", args=[product.pk])),
            ("get", reverse("suppliers:product_edit", args=[product.pk])),
            ("post", reverse("suppliers:product_edit", args=[product.pk])),
            ("post", reverse("suppliers:product_submit", args=[product.pk])),
            ("post", reverse("suppliers:product_delist", args=[product.pk])),
            ("post", reverse("suppliers:sku_stock_adjust", args=[sku.pk])),
            ("get", reverse("suppliers:import_detail", args=[job.pk])),
        ],
        product,
        sku,
    )


def test_another_suppliers_products_skus_and_jobs_are_404_and_untouched(manager_client):
    urls, product, sku = _foreign_urls()
    for method, url in urls:
        data = {"reason": "x", "mode": "delta", "quantity": "-1"} if method == "post" else None
        response = getattr(manager_client, method)(url, data)
        assert response.status_code == 404, url
    assert Product.objects.get(pk=product.pk).status == Product.Status.LISTED
    assert SKU.objects.get(pk=sku.pk).on_hand == sku.on_hand


def test_another_suppliers_products_do_not_appear_in_the_list_or_export(manager_client):
    ProductFactory(title="別家的商品")
    SKUFactory(code="FOREIGN-SKU")
    assert "別家的商品" not in manager_client.get(reverse("suppliers:product_list")).content.decode()
    export = b"".join(manager_client.get(reverse("suppliers:export")).streaming_content).decode()
    assert "FOREIGN-SKU" not in export


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("suppliers:product_list"))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize(
    "name", ["suppliers:product_list", "suppliers:product_create", "suppliers:import", "suppliers:tier_list", "suppliers:terms"]
)
def test_a_reseller_is_refused(client, reseller_member, name):
    user, _reseller = reseller_member
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 403


def test_supplier_staff_member_may_look_but_not_change(client, supplier):
    staff = member(supplier, "staff")
    client.force_login(staff)
    product = ProductFactory(supplier=supplier)
    sku = SKUFactory(product=product, on_hand=10)

    assert client.get(reverse("suppliers:product_list")).status_code == 200
    detail = client.get(reverse("suppliers:product_detail", args=[product.pk]))
    assert detail.status_code == 200 and "Adjust stock" not in detail.content.decode()
    for url in [
        reverse("suppliers:product_create"),
        reverse("suppliers:product_edit", args=[product.pk]),
        reverse("suppliers:import"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("suppliers:product_delist", args=[product.pk]), {"reason": "x"}).status_code == 403
    assert (
        client.post(reverse("suppliers:sku_stock_adjust", args=[sku.pk]), {"mode": "delta", "quantity": "1", "reason": "x"}).status_code
        == 403
    )
    assert SKU.objects.get(pk=sku.pk).on_hand == 10


def test_catalog_pages_speak_traditional_chinese_by_default(manager_client, settings):
    settings.LANGUAGE_CODE = "zh-hant"
    body = manager_client.get(reverse("suppliers:product_list")).content.decode()
    assert "新增商品" in body and "您還沒有商品" in body
    response = manager_client.post(
        reverse("suppliers:product_create"), {**product_post(CategoryFactory()), **sku_rows(sku_row("Z-1", min_retail_amount="150.00"))}
    )
    assert "最高零售價不可低於最低零售價。" in response.content.decode()


def test_detail_shows_the_listing_history_with_the_rejection_reason(manager_client, manager, supplier):
    from django.contrib.auth import get_user_model

    from suppliers import services
    from tests.suppliers.catalog_helpers import sku_input

    staff = get_user_model().objects.create_user("reviewer@platform.test", "x", is_staff=True)
    product = services.product_create(
        actor=manager, supplier=supplier, skus=[sku_input()],
        fields={"title": "T", "description": "<p>d</p>", "category": CategoryFactory(), "province_code": "330000", "city_code": "330100"},
    )  # fmt: skip
    services.product_submit(actor=manager, product=product)
    services.product_reject(actor=staff, product=product, reason="缺少尺碼表")

    body = manager_client.get(reverse("suppliers:product_detail", args=[product.pk])).content.decode()

    assert "Submitted for review" in body and "缺少尺碼表" in body and "platform staff" in body
    assert "reviewer@platform.test" not in body  # staff identities stay private


def test_a_compliance_document_can_be_replaced_on_the_edit_page(manager_client, supplier):
    from suppliers.models import ComplianceDocument
    from tests.suppliers.catalog_helpers import pdf_upload

    product = ProductFactory(supplier=supplier, draft=True, is_imported=True)
    old = ComplianceDocument.objects.create(product=product, kind="customs_declaration", file="compliance/old.pdf")
    data = {
        **product_post(product.category, description=product.description, is_imported="on"),
        **sku_rows(),
        "remove_documents": [str(old.pk)],
        "customs_declaration": pdf_upload("new.pdf"),
    }

    response = manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), data)

    assert response.status_code == 302
    docs = list(product.compliance_documents.all())
    assert len(docs) == 1 and docs[0].pk != old.pk and docs[0].file.name.endswith(".pdf")


def test_a_variant_can_be_taken_off_sale_from_the_edit_page(manager_client, supplier, monkeypatch):
    calls = []
    monkeypatch.setattr("resellers.services.store_list_on_sku_changed", lambda **kw: calls.append(kw["changes"]))
    product = ProductFactory(supplier=supplier)
    sku = SKUFactory(product=product, code="OFF-1")
    row = sku_row("OFF-1", sku_id=str(sku.pk))
    del row["is_active"]  # the box is unticked
    data = {**product_post(product.category, title=product.title, description=product.description), **sku_rows(row, existing=1)}

    assert manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), data).status_code == 302

    sku.refresh_from_db()
    assert not sku.is_active
    assert calls == [{"is_active"}]


def test_supplier_home_shows_the_catalog_widget_with_what_needs_action(manager_client, supplier):
    ProductFactory(supplier=supplier, status=Product.Status.REJECTED)
    SKUFactory(product=ProductFactory(supplier=supplier), on_hand=1)
    ProductFactory(status=Product.Status.REJECTED)  # another supplier's

    response = manager_client.get(reverse("home"))

    body = response.content.decode()
    assert 'id="catalog-widget"' in body
    widget = body[body.index('id="catalog-widget"') :]
    assert "?status=rejected" in widget and ">1</span>" in widget


def test_supplier_home_charts_products_per_status_from_json_data(manager_client, supplier):
    ProductFactory(supplier=supplier)
    ProductFactory(supplier=supplier)
    ProductFactory(supplier=supplier, status=Product.Status.REJECTED)
    ProductFactory(supplier=supplier, status=Product.Status.DRAFT)
    ProductFactory()  # another supplier's

    response = manager_client.get(reverse("home"))

    body = response.content.decode()
    assert '<canvas id="catalog-status-chart"' in body
    assert "vendor/chartjs-4.5.1/chart.umd.min.js" in body and "js/home_charts.js" in body
    start = body.index('<script id="catalog-status-chart-data" type="application/json">') + len(
        '<script id="catalog-status-chart-data" type="application/json">'
    )
    data = json.loads(body[start : body.index("</script>", start)])
    counts = dict(zip(data["labels"], data["values"], strict=True))
    assert counts == {"Draft": 1, "Pending review": 0, "Listed": 2, "Rejected": 1, "Delisted": 0}


def test_supplier_home_without_products_shows_the_empty_state_not_a_chart(manager_client):
    body = manager_client.get(reverse("home")).content.decode()

    assert "You have no products yet" in body
    assert "catalog-status-chart" not in body


@pytest.mark.parametrize("size", [(30000, 30000, False), (8000, 8000, True)], ids=["30000x30000 PNG", "8000x8000 RGBA"])
def test_image_bombs_are_refused_as_product_images_and_compliance_documents(manager_client, size):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import bomb_png

    width, height, rgba = size
    bomb = bomb_png(width, height, rgba=rgba)
    data = {**product_post(CategoryFactory()), **sku_rows(), "images": [SimpleUploadedFile("x.png", bomb)]}
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    assert "too many pixels" in " ".join(response.context["form"].errors["images"])

    if width * height > 40_000_000:  # documents allow larger scans
        data = {**product_post(CategoryFactory(), is_imported="on"), **sku_rows(),
                "customs_declaration": SimpleUploadedFile("c.png", bomb)}  # fmt: skip
        response = manager_client.post(reverse("suppliers:product_create"), data)
        assert response.status_code == 422
        assert "too many pixels" in " ".join(response.context["form"].errors["customs_declaration"])
    assert not Product.objects.exists()
