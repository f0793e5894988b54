"""Two workers placing two uploads of the same file at once: every consumer order is placed once."""

from __future__ import annotations

import io

import pytest

from procurement import order_import as oi
from procurement.models import OrderImport, PurchaseOrder, ShopOrder
from tests.procurement.conftest import fixture_bytes, make_intake
from tests.procurement.test_concurrency import run_in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_two_workers_on_two_uploads_of_one_file_place_each_order_once():
    intake = make_intake()
    imports = []
    for _ in range(2):
        imp = oi.order_import_create(
            actor=intake["user"], reseller=intake["reseller"], shop=intake["shop"],
            file=io.BytesIO(fixture_bytes("taobao_orders_gbk.csv")), file_name="tb.csv", layout="taobao",
        )  # fmt: skip
        oi.order_import_place(actor=intake["user"], reseller=intake["reseller"], order_import_id=imp.pk)
        imports.append(imp)

    outcomes = run_in_threads([lambda imp=imp: oi.order_import_run(order_import_id=imp.pk).status for imp in imports])

    assert [o[0] for o in outcomes] == ["ok", "ok"]
    assert ShopOrder.objects.count() == 2
    assert PurchaseOrder.objects.count() == 3  # order 1 (two suppliers) and order 2, once each
    placed = sum(OrderImport.objects.get(pk=imp.pk).rows.filter(outcome="placed").count() for imp in imports)
    duplicates = sum(OrderImport.objects.get(pk=imp.pk).rows.filter(outcome="duplicate").count() for imp in imports)
    assert (placed, duplicates) == (3, 3)
