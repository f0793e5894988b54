"""The product CSV built by PostgreSQL (COPY) is byte for byte what the Python writer produces."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resellers import feeds
from suppliers.models import SKU, Product, ProductImage
from tests.resellers.test_views_feeds import PNG, body, store  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _joined(chunks) -> bytes:
    return b"".join(c.encode() if isinstance(c, str) else c for c in chunks)


def python_csv(reseller, **kwargs) -> bytes:
    return _joined(feeds.csv_stream(feeds.product_rows(reseller, **kwargs), feeds.PRODUCT_COLUMNS))


def copy_csv(reseller, **kwargs) -> bytes:
    assert feeds.product_csv_select(reseller, **kwargs) is not None
    return _joined(feeds.product_csv(reseller, **kwargs))


def awkward(store):  # noqa: F811 (the imported fixture)
    """Cells a CSV writer must quote or keep empty: commas, quotes, formula-like text, no attributes, no image."""
    product = store["product"]
    Product.objects.filter(pk=product.pk).update(title='純棉 "短袖", =SUM(A1) 男款')
    SKU.objects.filter(pk=store["sku_a"].pk).update(attributes={"顏色": "白, 黑", "尺碼": "M", "件數": 2, "有貨": True})
    SKU.objects.filter(pk=store["sku_b"].pk).update(attributes={}, reserved=0)


def test_copy_feed_equals_the_python_feed(store):  # noqa: F811 (the imported fixture)
    ProductImage.objects.filter(product=store["product"]).update(image="products/2026/12/abc-1.png")
    awkward(store)
    assert copy_csv(store["reseller"]) == python_csv(store["reseller"])


def test_copy_feed_equals_the_python_feed_for_updated_since(store):  # noqa: F811 (the imported fixture)
    from django.utils import timezone

    since = timezone.now()
    SKU.objects.filter(pk=store["sku_a"].pk).update(updated_at=since, on_hand=7)
    assert copy_csv(store["reseller"], updated_since=since) == python_csv(store["reseller"], updated_since=since)
    assert python_csv(store["reseller"], updated_since=since).count(b"\r\n") == 2


def test_names_that_need_quoting_or_line_breaks_fall_back_to_the_python_writer(store):  # noqa: F811 (the imported fixture)
    ProductImage.objects.create(product=store["product"], image=SimpleUploadedFile("後 面.png", PNG), approved=True, position=5)
    assert feeds.product_csv_select(store["reseller"]) is None
    ProductImage.objects.filter(product=store["product"]).delete()
    Product.objects.filter(pk=store["product"].pk).update(title="兩行\n標題")
    assert feeds.product_csv_select(store["reseller"]) is None
    assert _joined(feeds.product_csv(store["reseller"])) == python_csv(store["reseller"])


def test_the_csv_page_serves_the_copy_feed(reseller_client, store):  # noqa: F811 (the imported fixture)
    ProductImage.objects.filter(product=store["product"]).update(image="products/2026/12/abc-1.png")
    raw = body(reseller_client.get(reverse("resellers:feed_products", args=["csv"])))
    assert raw == python_csv(store["reseller"])
    assert raw.count(b"\r\n") == 3
