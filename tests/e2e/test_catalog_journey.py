"""Journey: a supplier creates a product with two SKUs in the browser and submits it; staff approve it in admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from suppliers.models import Product
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.suppliers.factories import CategoryFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_supplier_creates_and_submits_a_product_and_staff_approve_it_in_admin(page, browser, live_server, supplier_member):
    user, supplier = supplier_member
    parent = CategoryFactory(name="服飾")
    CategoryFactory(name="上衣", parent=parent)

    # the supplier opens its empty product list and starts a product
    login(page, live_server, user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/supplier/products/"))
    expect(page.locator("body")).to_contain_text("You have no products yet")
    page.get_by_role("link", name="New product").first.click()

    page.fill("#id_title", "有機棉圓領T恤")
    page.locator("trix-editor").click()
    page.keyboard.type("100% 有機棉")
    page.select_option("#id_category", label="\u3000└ 上衣")
    page.fill("#id_brand", "棉良")
    page.select_option("#id_province_code", "330000")
    # the city list follows the province (htmx)
    expect(page.locator("#id_city_code option[value='330100']")).to_have_count(1)
    page.select_option("#id_city_code", "330100")

    for i, (code, attrs) in enumerate([("E2E-W-M", "顏色=白; 尺碼=M"), ("E2E-B-L", "顏色=黑; 尺碼=L")]):
        page.fill(f"#id_skus-{i}-code", code)
        page.fill(f"#id_skus-{i}-attributes", attrs)
        page.fill(f"#id_skus-{i}-supply_price_amount", "45.00")
        page.fill(f"#id_skus-{i}-suggested_retail_amount", "99.00")
        page.fill(f"#id_skus-{i}-min_retail_amount", "89.00")
        page.fill(f"#id_skus-{i}-max_retail_amount", "129.00")
        page.fill(f"#id_skus-{i}-weight_grams", "250")
        page.fill(f"#id_skus-{i}-on_hand", "30")
    page.click("button[name=submit_for_review]")

    # the product page shows it waiting for review, with both SKUs
    expect(page.locator("body")).to_contain_text("Waiting for platform staff to review this listing.")
    expect(page.locator("#sku-table, table")).to_contain_text("E2E-B-L")
    product = Product.objects.get(supplier=supplier)
    assert product.status == Product.Status.PENDING_REVIEW

    # stock can be adjusted in place (htmx)
    row = page.locator(f"#sku-{product.skus.get(code='E2E-W-M').pk}")
    row.locator("input[name=quantity]").fill("5")
    row.locator("input[name=reason]").fill("到貨")
    row.get_by_role("button", name="Adjust").click()
    expect(page.locator(f"#sku-{product.skus.get(code='E2E-W-M').pk}")).to_contain_text("35")
    # and a removal beyond the stock is refused in place, with the reason
    row = page.locator(f"#sku-{product.skus.get(code='E2E-W-M').pk}")
    row.locator("input[name=quantity]").fill("-100")
    row.locator("input[name=reason]").fill("報損")
    row.get_by_role("button", name="Adjust").click()
    expect(page.locator(f"#sku-{product.skus.get(code='E2E-W-M').pk} [role=alert]")).to_contain_text("cannot go below zero")

    # staff find it in the admin review queue and approve it
    get_user_model().objects.create_superuser("reviewer@platform.test", DEFAULT_PASSWORD)
    staff_context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"})
    staff_page = staff_context.new_page()
    staff_page.goto(url(live_server, "/admin/login/"))  # the site's login page (one throttle for both)
    staff_page.fill("input[name=login]", "reviewer@platform.test")
    staff_page.fill("input[name=password]", DEFAULT_PASSWORD)
    staff_page.locator("form button[type=submit]").first.click()
    staff_page.wait_for_url(lambda u: "/accounts/login/" not in u)
    staff_page.goto(url(live_server, "/admin/suppliers/product/?review=waiting"))
    expect(staff_page.locator("#result_list")).to_contain_text("有機棉圓領T恤")
    staff_page.locator("input[name=_selected_action]").first.check()
    staff_page.select_option("select[name=action]", "approve_selected")
    staff_page.click("button[name=index]")
    expect(staff_page.locator(".messagelist")).to_contain_text("Approved 1")
    staff_context.close()

    # the supplier sees it listed
    page.reload()
    expect(page.locator("main h1 + div .badge").first).to_have_text("Listed")
    assert Product.objects.get(pk=product.pk).status == Product.Status.LISTED
