"""The product CSV built by PostgreSQL (COPY) is byte for byte the CSV the Python rows make, edge cases included."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resellers import feeds
from resellers.models import StoreListing
from resellers.services import PublishItem, store_listing_publish
from resellers.shop_services import shop_default
from suppliers.models import SKU, Partnership, Product, ProductImage
from tests.suppliers.factories import ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def python_csv(reseller, **kwargs) -> bytes:
    return "".join(feeds.csv_stream(feeds.product_rows(reseller, **kwargs), feeds.PRODUCT_COLUMNS)).encode()


def copy_csv(reseller, **kwargs) -> bytes:
    stream = feeds.product_csv_copy(reseller, **kwargs)
    assert stream is not None  # FileSystemStorage: the COPY path is taken
    return b"".join(stream)


@pytest.fixture
def tricky_store(world):
    """Entries whose text needs every rule: formulas, quotes, commas, new lines, backslashes, tabs, odd image names."""
    product, reseller = world["product"], world["reseller"]
    ProductImage.objects.create(product=product, image=SimpleUploadedFile("t.png", PNG), approved=True, position=2)
    ProductImage.objects.create(product=product, image=SimpleUploadedFile("hidden.png", PNG), approved=False)
    odd = ProductImage.objects.create(product=product, image=SimpleUploadedFile("a.png", PNG), approved=True, position=1)
    ProductImage.objects.filter(pk=odd.pk).update(image="products/圖 片 #1 (a)+b%.png")
    other = ProductFactory(supplier=world["supplier"], title='=HYPERLINK("http://x", "點我"), 第二行\n第三行\\反斜線\t跳格')
    Product.objects.filter(pk=other.pk).update(province_code="110000", city_code="110100")  # 北京 (a municipality)
    skus = [
        SKUFactory(product=other, code="-ABC", attributes={"z": "=1+1", "a": 'say "hi"', "flag": True, "n": 3, "none": None}),
        SKUFactory(product=other, code="+12.50", attributes={}),
        SKUFactory(product=other, code="@SUM", attributes={"多": "值, 有逗號"}),
    ]
    store_listing_publish(
        actor=world["user"],
        reseller=reseller,
        items=[PublishItem(sku_id=world["sku_a"].pk, price="99.00"), PublishItem(sku_id=world["sku_b"].pk, price="119.90")]
        + [PublishItem(sku_id=sku.pk, price=str(sku.min_retail_amount)) for sku in skus],
    )
    listings = StoreListing.objects.filter(reseller=reseller).order_by("pk")
    StoreListing.objects.filter(pk=listings[0].pk).update(item_code="=cmd|' /C calc'!A0")
    StoreListing.objects.filter(pk=listings[1].pk).update(item_code='品號"1", 2')
    StoreListing.objects.filter(pk=listings[2].pk).update(updated_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))  # no microseconds
    SKU.objects.filter(pk=skus[0].pk).update(on_hand=5, reserved=5, updated_at=datetime(2020, 1, 1, tzinfo=UTC))  # none available
    SKU.objects.filter(pk=skus[1].pk).update(supply_price_amount=Decimal("33.35"))  # 10% off: 30.015 → 30.02 (half up)
    return world


def test_the_copy_csv_is_byte_for_byte_the_python_csv(tricky_store, settings):
    settings.SITE_URL = "https://fx.example.test"
    reseller = tricky_store["reseller"]
    expected = python_csv(reseller)
    assert copy_csv(reseller) == expected
    rows = list(csv.DictReader(io.StringIO(expected.decode("utf-8-sig"))))
    assert len(rows) == 5
    by_code = {row["sku_code"]: row for row in rows}
    assert set(by_code) == {"TS-WHITE-M", "TS-BLACK-L", "'-ABC", "+12.50", "'@SUM"}  # a number stays a number
    assert by_code["'-ABC"]["title"].startswith("'=HYPERLINK(") and "\n第三行\\反斜線\t跳格" in by_code["'-ABC"]["title"]
    assert by_code["'-ABC"]["available"] == "0" and by_code["'-ABC"]["province"] == "北京市" and by_code["'-ABC"]["city"] == "北京市"
    assert by_code["+12.50"]["supply_price"] == "30.02"
    assert "%E5%9C%96%20%E7%89%87%20%231%20(a)%2Bb%25.png" in by_code["TS-WHITE-M"]["images"]


def test_the_copy_csv_follows_the_filters_and_the_partnership(tricky_store):
    reseller = tricky_store["reseller"]
    since = datetime(2029, 1, 1, tzinfo=UTC)
    assert copy_csv(reseller, updated_since=since) == python_csv(reseller, updated_since=since)
    shop = shop_default(reseller=reseller)
    assert copy_csv(reseller, shop=shop) == python_csv(reseller, shop=shop)
    Partnership.objects.filter(pk=tricky_store["partnership"].pk).delete()  # not partnered: no supply price
    assert copy_csv(reseller) == python_csv(reseller)


def test_an_empty_store_list_is_the_header_alone(world):
    header = ",".join(feeds.PRODUCT_COLUMNS).encode() + b"\r\n"
    assert copy_csv(world["reseller"]) == python_csv(world["reseller"]) == "\ufeff".encode() + header


def test_the_feed_page_streams_the_copy_csv(reseller_client, tricky_store):
    response = reseller_client.get(reverse("resellers:feed_products", args=["csv"]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == python_csv(tricky_store["reseller"])


def test_another_organisations_supplier_rows_never_appear(tricky_store, other_reseller):
    _user, reseller = other_reseller
    assert copy_csv(reseller) == python_csv(reseller)
    assert copy_csv(reseller).count(b"\r\n") == 1


def test_a_storage_whose_urls_sql_cannot_build_falls_back_to_python(world, monkeypatch):
    monkeypatch.setattr(feeds, "_copy_image_prefix", lambda: None)
    assert feeds.product_csv_copy(world["reseller"]) is None
