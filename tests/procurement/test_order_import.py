"""Order intake: platform layouts, encodings, row outcomes, grouping per supplier, idempotent placing, bad input."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, transaction

from procurement import order_import as oi
from procurement.models import OrderImport, OrderImportRow, PurchaseOrder, ShopOrder
from tests.procurement.conftest import fixture_bytes

pytestmark = pytest.mark.django_db
Outcome = OrderImportRow.Outcome


def upload(intake, content: bytes, layout: str, name: str = "orders.csv") -> OrderImport:
    return oi.order_import_create(
        actor=intake["user"], reseller=intake["reseller"], shop=intake["shop"], file=io.BytesIO(content), file_name=name, layout=layout
    )


def outcomes(order_import) -> list[tuple[int, str, str]]:
    return list(order_import.rows.order_by("row_number").values_list("row_number", "outcome", "error_field"))


def place(intake, order_import, run_outbox):
    oi.order_import_place(actor=intake["user"], reseller=intake["reseller"], order_import_id=order_import.pk)
    run_outbox("imports")
    return OrderImport.objects.get(pk=order_import.pk)


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    return text.encode(encoding)


TAOBAO_HEADER = "订单编号,商家编码,价格,购买数量,收货人姓名,联系手机,收货地址\n"


def test_taobao_report_in_gbk_is_previewed_row_by_row(intake):
    imp = upload(intake, fixture_bytes("taobao_orders_gbk.csv"), "taobao")
    assert imp.encoding == "gb18030"
    assert outcomes(imp) == [(2, "ready", ""), (3, "ready", ""), (4, "ready", ""), (5, "unknown_item", "商家编码")]
    first = imp.rows.get(row_number=2)
    assert first.consumer_order_ref == "3012000000000001"  # the ="…" wrapper Taobao writes is undone
    assert first.address["district_code"] == "330106" and first.address["postal_code"] == "310013"
    assert not PurchaseOrder.objects.exists()  # nothing placed before the reseller confirms


def test_placing_groups_one_consumer_order_into_one_po_per_supplier(intake, run_outbox):
    imp = place(intake, upload(intake, fixture_bytes("taobao_orders_gbk.csv"), "taobao"), run_outbox)
    assert imp.status == OrderImport.Status.DONE and imp.orders_done == imp.orders_total == 2
    pos = PurchaseOrder.objects.filter(consumer_order_ref="3012000000000001")
    assert sorted(pos.values_list("supplier_id", flat=True)) == sorted([intake["supplier_a"].pk, intake["supplier_b"].pk])
    assert set(pos.values_list("shop_id", flat=True)) == {intake["shop"].pk}
    assert PurchaseOrder.objects.count() == 3
    assert imp.rows.filter(outcome=Outcome.PLACED).count() == 3
    assert imp.rows.get(row_number=5).outcome == Outcome.UNKNOWN_ITEM  # not placed, still listed


def test_reuploading_the_same_file_never_places_twice(intake, run_outbox):
    place(intake, upload(intake, fixture_bytes("taobao_orders_gbk.csv"), "taobao"), run_outbox)
    again = upload(intake, fixture_bytes("taobao_orders_gbk.csv"), "taobao")
    assert {o for _r, o, _f in outcomes(again)} == {"duplicate", "unknown_item"}
    with pytest.raises(oi.ValidationFailed):
        oi.order_import_place(actor=intake["user"], reseller=intake["reseller"], order_import_id=again.pk)
    assert PurchaseOrder.objects.count() == 3


def test_the_database_refuses_a_second_shop_order_with_the_same_ref(intake):
    ShopOrder.objects.create(shop=intake["shop"], consumer_order_ref="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopOrder.objects.create(shop=intake["shop"], consumer_order_ref="X-1")


def test_two_previews_of_one_file_placed_both_place_each_order_once(intake, run_outbox):
    first = upload(intake, fixture_bytes("jd_orders.csv"), "jd")
    second = upload(intake, fixture_bytes("jd_orders.csv"), "jd")
    place(intake, first, run_outbox)
    second = place(intake, second, run_outbox)
    assert PurchaseOrder.objects.filter(consumer_order_ref="280000000001").count() == 1
    assert second.rows.get(row_number=2).outcome == Outcome.DUPLICATE


def test_jd_export_names_the_price_column_when_out_of_range(intake):
    imp = upload(intake, fixture_bytes("jd_orders.csv"), "jd")
    assert outcomes(imp) == [(2, "ready", ""), (3, "price_out_of_range", "京东价")]
    assert "79.00" in imp.rows.get(row_number=3).message
    assert imp.rows.get(row_number=2).address["city_code"] == "110100"


def test_pinduoduo_xlsx_with_separate_province_city_district_and_line_totals(intake):
    imp = upload(intake, fixture_bytes("pinduoduo_orders.xlsx"), "pinduoduo", name="pdd.xlsx")
    assert imp.encoding == "xlsx"
    assert outcomes(imp) == [(2, "ready", ""), (3, "ready", "")]
    row = imp.rows.get(row_number=2)
    assert row.unit_price == "99.00" and row.quantity == "2"
    assert row.address["district_code"] == "510107"


def test_shopify_lines_without_address_take_the_orders_first_line(intake, run_outbox):
    imp = upload(intake, fixture_bytes("shopify_orders.csv"), "shopify")
    assert outcomes(imp) == [(2, "ready", ""), (3, "ready", "")]
    assert imp.rows.get(row_number=3).address["recipient"] == "吳九"
    assert imp.rows.get(row_number=2).address["mobile"] == "13800138001"
    place(intake, imp, run_outbox)
    assert PurchaseOrder.objects.filter(consumer_order_ref="#1001").count() == 2


def test_a_custom_mapping_saved_by_the_reseller(intake):
    from procurement.models import OrderImportMapping

    mapping = OrderImportMapping.objects.create(
        reseller=intake["reseller"], name="我的ERP",
        columns={"consumer_order_ref": "單號", "item_code": "貨號", "quantity": "數量", "address": "地址"},
    )
    content = "單號,貨號,數量,地址\nE-1,A001,1,收貨人: 張三 手機號碼: 13800138000 所在地區: 浙江省 杭州市 西湖區 詳細地址: 文三路1號\n"
    imp = upload(intake, csv_bytes(content), f"custom:{mapping.pk}")
    assert outcomes(imp) == [(2, "ready", "")]
    assert imp.rows.get().unit_price == "99.00"  # no price column: the shop's retail price


def test_stock_is_counted_across_the_files_rows(intake):
    intake["sku_a"].on_hand = 3
    intake["sku_a"].save()
    content = TAOBAO_HEADER + "T-1,A001,99,2,张三,13800138000,浙江省杭州市西湖区文三路1号\nT-2,A001,99,2,李四,13800138001,浙江省杭州市西湖区文三路2号\n"  # noqa: E501
    imp = upload(intake, csv_bytes(content), "taobao")
    assert outcomes(imp) == [(2, "ready", ""), (3, "no_stock", "购买数量")]


def test_bad_address_and_duplicate_rows_are_named(intake):
    content = TAOBAO_HEADER + (
        "T-1,A001,99,1,张三,12345,浙江省杭州市西湖区文三路1号\n"
        "T-2,A001,99,1,李四,13800138001,火星市某区某路\n"
        "T-3,A001,99,1,王五,13800138002,浙江省杭州市西湖区文三路3号\n"
        "T-3,A001,99,1,王五,13800138002,浙江省杭州市西湖区文三路3号\n"
    )
    imp = upload(intake, csv_bytes(content), "taobao")
    rows = {r.row_number: r for r in imp.rows.all()}
    assert (rows[2].outcome, rows[2].error_field) == ("bad_address", "联系手机")
    assert rows[3].outcome == "bad_address"
    assert (rows[5].outcome, rows[5].message) == ("duplicate", "Row 4 has the same item of this order.")


def test_formula_looking_cells_are_refused_naming_row_and_column(intake):
    content = TAOBAO_HEADER + 'T-1,A001,99,1,"=HYPERLINK(""http://x"")",13800138000,浙江省杭州市西湖区文三路1号\n'
    imp = upload(intake, csv_bytes(content), "taobao")
    row = imp.rows.get()
    assert (row.outcome, row.error_field) == ("invalid", "收货人姓名")
    assert "Row 2" in row.message and "收货人姓名" in row.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (TAOBAO_HEADER.encode(), "The file has a header row but no orders."),
        ("订单号,数量\n1,2\n".encode(), "“商家编码”"),
        (b"\xff\xfe\x00\x00garbage\x81\xff", "neither UTF-8 nor GBK"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "(.xls)"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(intake, content, message):
    with pytest.raises(oi.OrderFileRejected) as exc:
        upload(intake, content, "taobao")
    assert message in exc.value.message
    assert not OrderImport.objects.exists()


def test_a_file_that_changes_encoding_names_the_row(intake):
    good = (TAOBAO_HEADER + "T-1,A001,99,1,张三,13800138000,浙江省杭州市西湖区文三路1号\n" * 3000).encode("utf-8")
    with pytest.raises(oi.OrderFileRejected) as exc:
        upload(intake, good + "T-9,A001,99,1,张三,13800138000,浙江省\n".encode("gbk"), "taobao")
    assert "Row 3002" in exc.value.message


def test_a_50_mb_file_is_refused_before_reading(intake):
    class Huge(io.BytesIO):
        size = 50 * 1024 * 1024

    with pytest.raises(oi.OrderFileRejected) as exc:
        oi.order_import_create(
            actor=intake["user"], reseller=intake["reseller"], shop=intake["shop"], file=Huge(b"x"), file_name="big.csv", layout="taobao"
        )
    assert "50 MB" in exc.value.message


def test_fix_and_skip_rows_then_place(intake, run_outbox):
    content = TAOBAO_HEADER + "T-1,WRONG,99,1,张三,13800138000,浙江省杭州市西湖区文三路1号\nT-2,A001,500,1,李四,13800138001,浙江省杭州市西湖区文三路2号\n"  # noqa: E501
    imp = upload(intake, csv_bytes(content), "taobao")
    bad, pricey = imp.rows.order_by("row_number")
    fixed = oi.order_import_row_fix(
        actor=intake["user"], reseller=intake["reseller"], order_import_id=imp.pk, row_id=bad.pk, changes={"item_code": "A001"}
    )
    assert fixed.outcome == Outcome.READY
    oi.order_import_row_skip(actor=intake["user"], reseller=intake["reseller"], order_import_id=imp.pk, row_id=pricey.pk)
    imp = place(intake, imp, run_outbox)
    assert list(PurchaseOrder.objects.values_list("consumer_order_ref", flat=True)) == ["T-1"]
    assert imp.rows.get(pk=pricey.pk).outcome == Outcome.SKIPPED


def test_a_failure_halfway_leaves_placed_orders_and_lists_the_rest(intake, run_outbox, monkeypatch):
    content = TAOBAO_HEADER + "".join(f"T-{i},A001,99,1,张三,13800138000,浙江省杭州市西湖区文三路{i}号\n" for i in range(1, 5))
    imp = upload(intake, csv_bytes(content), "taobao")
    from procurement import services

    real = services.purchase_orders_place_cart
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "purchase_orders_place_cart", flaky)
    imp = place(intake, imp, run_outbox)
    assert imp.status == OrderImport.Status.FAILED
    assert sorted(PurchaseOrder.objects.values_list("consumer_order_ref", flat=True)) == ["T-1", "T-2"]
    assert list(imp.rows.order_by("row_number").values_list("outcome", flat=True)) == ["placed", "placed", "not_placed", "not_placed"]


def test_a_refused_order_is_listed_as_not_placed_and_the_others_go_through(intake, run_outbox):
    content = TAOBAO_HEADER + "T-1,A001,99,1,张三,13800138000,浙江省杭州市西湖区文三路1号\nT-2,B001,88,1,李四,13800138001,浙江省杭州市西湖区文三路2号\n"  # noqa: E501
    imp = upload(intake, csv_bytes(content), "taobao")
    intake["second"].partnership.status = "ended"
    intake["second"].partnership.save()
    imp = place(intake, imp, run_outbox)
    rows = {r.consumer_order_ref: r for r in imp.rows.all()}
    assert rows["T-1"].outcome == Outcome.PLACED
    assert rows["T-2"].outcome == Outcome.NOT_PLACED and rows["T-2"].message


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "没有有效的合作关系"), ("zh-hant", "沒有有效的合作關係"), ("en", "no active partnership")]
)
def test_the_workers_refusals_are_written_in_the_language_the_reseller_placed_in(intake, run_outbox, language, expected):
    """The worker has its own language; a row it refuses reads in the one the reseller placed in."""
    from django.utils import translation

    content = (
        TAOBAO_HEADER
        + "T-1,A001,99,1,张三,13800138000,浙江省杭州市西湖区文三路1号\nT-2,B001,88,1,李四,13800138001,浙江省杭州市西湖区文三路2号\n"
    )
    imp = upload(intake, csv_bytes(content), "taobao")
    intake["second"].partnership.status = "ended"
    intake["second"].partnership.save()
    with translation.override(language):
        oi.order_import_place(actor=intake["user"], reseller=intake["reseller"], order_import_id=imp.pk)
    with translation.override("zh-hant" if language == "en" else "en"):  # the worker's own language is another
        run_outbox("imports")
    row = OrderImportRow.objects.get(order_import=imp, consumer_order_ref="T-2")
    assert row.outcome == Outcome.NOT_PLACED
    assert expected in row.message, row.message
