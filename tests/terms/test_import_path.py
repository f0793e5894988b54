"""The terms hold for shop orders placed from an order import (procurement/order_import.py)."""

from __future__ import annotations

import pytest

from procurement import order_import as oi
from procurement.models import OrderImport, OrderImportRow, PurchaseOrder
from tests.procurement.conftest import fixture_bytes
from tests.procurement.test_order_import import upload
from tests.terms.factories import JIANGSU, SHANGHAI, ZHEJIANG, D, set_terms

pytestmark = pytest.mark.django_db
Outcome = OrderImportRow.Outcome


def place_jd(intake, run_outbox):
    """jd_orders.csv: row 2 is one A001 (supplier A, 50.00) to 北京; row 3 has a price out of range."""
    imp = upload(intake, fixture_bytes("jd_orders.csv"), "jd")
    assert imp.rows.get(row_number=2).outcome == Outcome.READY
    oi.order_import_place(actor=intake["user"], reseller=intake["reseller"], order_import_id=imp.pk)
    run_outbox("imports")
    imp = OrderImport.objects.get(pk=imp.pk)
    return imp.rows.get(row_number=2)


def test_a_shop_order_outside_the_shipping_regions_is_not_placed_and_says_why(intake, run_outbox):
    set_terms(intake["supplier_a"], shipping_regions=[ZHEJIANG, SHANGHAI, JIANGSU])
    row = place_jd(intake, run_outbox)
    assert row.outcome == Outcome.NOT_PLACED and "北京" in row.message
    assert not PurchaseOrder.objects.exists()


def test_a_shop_order_below_the_minimum_or_off_the_multiple_is_not_placed(intake, run_outbox):
    set_terms(intake["supplier_a"], minimum_order_amount=D("500.00"))
    row = place_jd(intake, run_outbox)
    assert row.outcome == Outcome.NOT_PLACED and "500.00" in row.message


def test_a_shop_order_off_the_order_multiple_is_not_placed(intake, run_outbox):
    sku = intake["sku_a"]
    sku.order_multiple = 2
    sku.save()
    row = place_jd(intake, run_outbox)
    assert row.outcome == Outcome.NOT_PLACED and sku.code in row.message
    assert not PurchaseOrder.objects.exists()
