"""Stock adjustments: recorded, never negative, never below reserved (R10), safe under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from distribution.core.errors import PermissionDenied, ValidationFailed
from suppliers import services
from suppliers.models import SKU, StockAdjustment
from tests.concurrency import race
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import ProductFactory, SKUFactory, SupplierFactory


@pytest.fixture
def supplier(db):
    return SupplierFactory()


@pytest.fixture
def manager(supplier):
    return member(supplier, "manager")


@pytest.fixture
def sku(supplier):
    return SKUFactory(product=ProductFactory(supplier=supplier), on_hand=10, reserved=3)


@pytest.mark.django_db
def test_adjustment_is_recorded_with_who_delta_reason_and_result(manager, sku, monkeypatch):
    calls = []
    monkeypatch.setattr("resellers.services.store_list_on_sku_changed", lambda **kw: calls.append(kw))

    adjustment = services.sku_adjust_stock(actor=manager, sku=sku, delta=-4, reason="盤點短少")

    assert (adjustment.actor, adjustment.delta, adjustment.on_hand_after, adjustment.reason) == (manager, -4, 6, "盤點短少")
    assert SKU.objects.get(pk=sku.pk).on_hand == 6
    assert [c["changes"] for c in calls] == [{"on_hand"}]


@pytest.mark.django_db
def test_setting_a_new_quantity_records_the_difference(manager, sku):
    adjustment = services.sku_adjust_stock(actor=manager, sku=sku, new_on_hand=25, reason="到貨")
    assert (adjustment.delta, adjustment.on_hand_after) == (15, 25)


@pytest.mark.django_db
def test_adjustment_below_reserved_is_refused_naming_the_reserved_quantity(manager, sku):
    with pytest.raises(services.BelowReserved) as exc:
        services.sku_adjust_stock(actor=manager, sku=sku, delta=-8, reason="報損")

    assert exc.value.code == "below_reserved" and exc.value.status == 409
    assert "3 units are reserved" in exc.value.message
    assert SKU.objects.get(pk=sku.pk).on_hand == 10
    assert not StockAdjustment.objects.exists()


@pytest.mark.django_db
def test_adjustment_below_zero_is_refused(manager, supplier):
    sku = SKUFactory(product=ProductFactory(supplier=supplier), on_hand=2)
    with pytest.raises(services.NegativeStock):
        services.sku_adjust_stock(actor=manager, sku=sku, delta=-3, reason="報損")


@pytest.mark.django_db
def test_set_stock_for_the_api_refuses_below_reserved_with_409(sku):
    with pytest.raises(services.BelowReserved) as exc:
        services.sku_set_stock(actor=None, sku=sku, on_hand=2)
    assert (exc.value.code, exc.value.status) == ("below_reserved", 409)

    services.sku_set_stock(actor=None, sku=sku, on_hand=3, reason="倉庫同步")
    assert SKU.objects.get(pk=sku.pk).on_hand == 3
    assert StockAdjustment.objects.get().delta == -7


@pytest.mark.django_db
def test_adjustment_needs_a_reason_and_a_non_zero_change(manager, sku):
    with pytest.raises(ValidationFailed):
        services.sku_adjust_stock(actor=manager, sku=sku, delta=1, reason=" ")
    with pytest.raises(ValidationFailed):
        services.sku_adjust_stock(actor=manager, sku=sku, delta=0, reason="x")


@pytest.mark.django_db
def test_staff_member_and_other_suppliers_cannot_adjust(supplier, sku):
    with pytest.raises(PermissionDenied):
        services.sku_adjust_stock(actor=member(supplier, "staff"), sku=sku, delta=1, reason="x")
    with pytest.raises(PermissionDenied):
        services.sku_adjust_stock(actor=member(SupplierFactory(), "owner"), sku=sku, delta=1, reason="x")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_removals_never_oversell_stock():
    # given: 5 in stock, 12 clerks each removing one at the same moment
    supplier = SupplierFactory()
    manager = member(supplier)
    sku = SKUFactory(product=ProductFactory(supplier=supplier), on_hand=5)

    def remove_one():
        services.sku_adjust_stock(actor=manager, sku=SKU.objects.get(pk=sku.pk), delta=-1, reason="出庫")

    # when
    outcomes = race([remove_one] * 12)

    # then: exactly five succeed, the others are refused for stock, stock is zero, and the history adds up
    assert sorted(o.code for o in outcomes) == ["negative_stock"] * 7 + ["ok"] * 5, outcomes
    assert SKU.objects.get(pk=sku.pk).on_hand == 0
    assert sum(StockAdjustment.objects.filter(sku=sku).values_list("delta", flat=True)) == -5
    assert connection.vendor == "postgresql"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_concurrent_adjustments_lose_updates():
    """Negative control: a naive read-modify-write (no lock) loses updates, so the lock above matters."""
    from django.db import transaction

    supplier = SupplierFactory()
    sku = SKUFactory(product=ProductFactory(supplier=supplier), on_hand=100)
    barrier = threading.Barrier(8)

    def naive_remove_one():
        with transaction.atomic():
            current = SKU.objects.get(pk=sku.pk).on_hand
            barrier.wait()
            SKU.objects.filter(pk=sku.pk).update(on_hand=current - 1)

    assert all(o.ok for o in race([naive_remove_one] * 8))
    assert SKU.objects.get(pk=sku.pk).on_hand > 92  # eight removals, but fewer took effect
