"""Journey: a supplier builds a product in the editor: a description in paragraphs, three images dragged
into order, a 3 × 4 variant grid; one mistake is refused, fixed, and everything chosen is still there."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from suppliers.models import Product
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.suppliers.factories import CategoryFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _png(width: int) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (width, 200), (20, 120, 200)).save(out, format="PNG")
    return {"name": f"w{width}.png", "mimeType": "image/png", "buffer": out.getvalue()}


def _drag(page, source, *, onto) -> None:
    """Drag as a hand does: press on the tile, move in steps (the page sees each dragover), let go
    near the target's left edge. Positions are read just before, after the page settled."""
    start, end = source.bounding_box(), onto.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 5, end["y"] + 5, steps=12)
    page.mouse.up()


def test_supplier_builds_a_product_with_a_variant_grid_and_ordered_images(page, live_server, supplier_member):
    user, supplier = supplier_member
    CategoryFactory(name="上衣")
    login(page, live_server, user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/supplier/products/new/"))

    page.fill("#id_title", "彩色圓領T恤")
    editor = page.locator("trix-editor")
    editor.click()
    page.keyboard.type("第一段")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("第二段")
    page.select_option("#id_category", label="上衣")
    page.select_option("#id_province_code", "330000")
    expect(page.locator("#id_city_code option[value='330100']")).to_have_count(1)
    page.select_option("#id_city_code", "330100")
    page.fill("#id_quality_return_days", "30")

    # three images go up as soon as they are chosen; the last one is dragged to the front
    with page.expect_response(lambda response: response.request.method == "POST") as upload:
        page.set_input_files("#id_images", [_png(300), _png(400), _png(500)])
    assert upload.value.ok
    tiles = page.locator("[data-image-tile]")
    expect(tiles).to_have_count(3)
    page.wait_for_load_state("networkidle")  # the tiles' thumbnails loaded: nothing moves under the mouse
    _drag(page, tiles.nth(2), onto=tiles.nth(0))
    expect(tiles.nth(0).locator("img")).to_have_attribute("alt", "w500.png")

    # 3 colours × 4 sizes from the grid; the two blank rows are removed
    page.locator("[data-row-remove]").nth(1).click()
    page.locator("[data-row-remove]").nth(0).click()
    page.fill("#id_grid-code_prefix", "TEE")
    page.fill("#id_grid-option_1_name", "顏色")
    page.fill("#id_grid-option_1_values", "紅, 藍, 黑")
    page.fill("#id_grid-option_2_name", "尺碼")
    page.fill("#id_grid-option_2_values", "S, M, L, XL")
    page.fill("#id_grid-supply_price_amount", "45.00")
    page.fill("#id_grid-suggested_retail_amount", "99.00")
    page.fill("#id_grid-min_retail_amount", "89.00")
    page.fill("#id_grid-max_retail_amount", "129.00")
    page.fill("#id_grid-on_hand", "10")
    page.click("#generate-skus")
    rows = page.locator("#sku-rows tr[data-sku-row]:not([hidden])")
    expect(rows).to_have_count(12)
    expect(page.locator("#id_skus-13-code")).to_have_value("TEE-黑-XL")

    # one more row by htmx, then removed again; a price mistake on the third generated row
    page.click("#add-sku-row")
    expect(rows).to_have_count(13)
    rows.nth(12).locator("[data-row-remove]").click()
    expect(rows).to_have_count(12)
    page.fill("#id_skus-4-supply_price_amount", "200.00")
    page.click("button[name=save]")

    errors = page.get_by_test_id("sku-errors")
    expect(errors).to_contain_text("Row 5 (TEE-紅-L), Supply price: The supply price must not be above the minimum retail price.")
    # everything chosen is still there: the images in the dragged order, the rows, the description
    expect(tiles).to_have_count(3)
    expect(tiles.nth(0).locator("img")).to_have_attribute("alt", "w500.png")
    expect(rows).to_have_count(12)
    expect(editor).to_contain_text("第二段")
    assert not Product.objects.exists()

    page.fill("#id_skus-4-supply_price_amount", "45.00")
    page.click("button[name=save]")
    expect(page.locator("body")).to_contain_text("Saved.")

    product = Product.objects.get(supplier=supplier)
    assert product.skus.count() == 12
    assert sorted(product.skus.values_list("code", flat=True))[:2] == ["TEE-紅-L", "TEE-紅-M"]
    assert product.skus.get(code="TEE-藍-S").attributes == {"顏色": "藍", "尺碼": "S"}
    widths = []
    for image in product.images.order_by("position"):
        with image.image.open("rb") as f, Image.open(f) as im:
            widths.append(im.width)
    assert widths == [500, 300, 400]
    assert product.description == "<p>第一段</p><p>第二段</p>"
    assert product.quality_return_days == 30
