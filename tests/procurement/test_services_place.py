import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification, Penalty
from distribution.core.errors import DomainError
from distribution.core.models import OutboxMessage
from procurement import services
from procurement.models import PurchaseOrder, PurchaseOrderTransition
from settlement.services import escrow_held, wallet_balance
from suppliers.models import Partnership, Product
from tests.procurement.factories import ADDRESS, D, make_trade, place, reload_sku
from tests.suppliers.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_place_snapshots_tier_price_shipping_and_reserves_stock():
    # given a gold tier (10 % off 50.00) and a 12.00 shipping fee
    trade = make_trade(discount="10", shipping="12.00")
    # when
    po = place(trade, quantity=3, retail_price="99.00")
    # then
    line = po.lines.get()
    assert line.unit_price == D("45.00")
    assert line.line_amount == D("135.00")
    assert line.retail_price == D("99.00")
    assert (po.goods_amount, po.shipping_amount, po.total_amount) == (D("135.00"), D("12.00"), D("147.00"))
    assert po.status == PurchaseOrder.Status.AWAITING_PAYMENT
    assert po.pay_by == po.placed_at + timedelta(days=7)
    assert re.fullmatch(r"PO\d{8}-\d{6}", po.number)
    assert reload_sku(trade.sku).reserved == 3
    t = PurchaseOrderTransition.objects.get(purchase_order=po)
    assert (t.from_status, t.to_status, t.actor) == ("", "awaiting_payment", trade.reseller_user)
    assert Notification.objects.filter(user=trade.supplier_user, kind="purchase_order.placed").exists()


def test_po_numbers_are_unique_and_increasing():
    trade = make_trade()
    first, second = place(trade), place(trade)
    assert first.number != second.number
    assert int(second.number[-6:]) > int(first.number[-6:])


def test_place_without_partnership_is_refused():
    trade = make_trade()
    other = SKUFactory()
    with pytest.raises(DomainError) as exc:
        services.purchase_order_place(
            actor=trade.reseller_user,
            reseller=trade.reseller,
            supplier=other.supplier,
            lines=[{"sku": other, "quantity": 1, "retail_price": D("99.00")}],
            consumer_order_ref="X",
            address=ADDRESS,
        )
    assert exc.value.code == "no_partnership"


def test_terminated_partnership_may_not_order_but_notice_period_may():
    trade = make_trade()
    Partnership.objects.filter(pk=trade.partnership.pk).update(
        status=Partnership.Status.TERMINATION_PENDING, ends_at=timezone.now() + timedelta(days=3)
    )
    assert place(trade).pk
    Partnership.objects.filter(pk=trade.partnership.pk).update(status=Partnership.Status.TERMINATED)
    with pytest.raises(DomainError) as exc:
        place(trade)
    assert exc.value.code == "no_partnership"


def test_lines_of_another_supplier_are_refused_as_mixed():
    trade = make_trade()
    other = make_trade(reseller=trade.reseller)
    with pytest.raises(DomainError) as exc:
        place(trade, sku=other.sku)
    assert exc.value.code == "mixed_suppliers"
    assert reload_sku(other.sku).reserved == 0


def test_retail_price_outside_range_is_refused_naming_the_range():
    trade = make_trade()
    with pytest.raises(DomainError) as exc:
        place(trade, retail_price="78.99")
    assert exc.value.code == "price_out_of_range"
    assert "79.00" in exc.value.message and "129.00" in exc.value.message
    assert exc.value.field == "lines.0.retail_price"


@pytest.mark.parametrize("quantity", [0, -1, "x"])
def test_quantity_must_be_a_whole_number_of_at_least_one(quantity):
    trade = make_trade()
    with pytest.raises(DomainError) as exc:
        place(trade, quantity=quantity)
    assert exc.value.field == "lines.0.quantity"


def test_delisted_product_and_inactive_sku_cannot_be_ordered():
    trade = make_trade()
    Product.objects.filter(pk=trade.sku.product_id).update(status=Product.Status.DELISTED)
    with pytest.raises(DomainError):
        place(trade)
    Product.objects.filter(pk=trade.sku.product_id).update(status=Product.Status.LISTED)
    type(trade.sku).objects.filter(pk=trade.sku.pk).update(is_active=False)
    with pytest.raises(DomainError):
        place(trade)


def test_reseller_suspended_from_ordering_cannot_place():
    trade = make_trade()
    Penalty.objects.create(organisation=trade.reseller.organisation, rule="R8", description="x", sanction=Penalty.Sanction.SUSPEND_ORDERING)
    with pytest.raises(DomainError) as exc:
        place(trade)
    assert exc.value.code == "ordering_suspended"


def test_a_supplier_whose_listing_is_suspended_takes_no_orders():
    trade = make_trade()
    Penalty.objects.create(organisation=trade.supplier.organisation, rule="R9", description="x", sanction=Penalty.Sanction.SUSPEND_LISTING)
    with pytest.raises(DomainError) as exc:
        place(trade)
    assert exc.value.code == "supplier_inactive" and trade.supplier.company_name in exc.value.message
    assert reload_sku(trade.sku).reserved == 0


def test_inactive_supplier_takes_no_orders():
    trade = make_trade()
    type(trade.supplier).objects.filter(pk=trade.supplier.pk).update(status="suspended")
    trade.supplier.refresh_from_db()
    with pytest.raises(DomainError):
        place(trade)


def test_ordering_beyond_available_stock_is_refused_naming_sku_and_availability():
    trade = make_trade(on_hand=5)
    place(trade, quantity=3)
    with pytest.raises(DomainError) as exc:
        place(trade, quantity=3)
    assert exc.value.code == "insufficient_stock" and exc.value.status == 409
    assert trade.sku.code in exc.value.message and "2 available" in exc.value.message
    assert reload_sku(trade.sku).reserved == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "12345"), ("postal_code", "31000"), ("district", "110101"), ("city", "440300"), ("recipient", "")],
)
def test_bad_address_is_refused_naming_the_field(field, value):
    trade = make_trade()
    address = dict(ADDRESS, **{field: value})
    with pytest.raises(DomainError) as exc:
        services.purchase_order_place(
            actor=trade.reseller_user,
            reseller=trade.reseller,
            supplier=trade.supplier,
            lines=[{"sku": trade.sku, "quantity": 1, "retail_price": D("99.00")}],
            consumer_order_ref="X",
            address=address,
        )
    assert exc.value.field == field
    assert not PurchaseOrder.objects.exists()


def test_cart_of_two_suppliers_becomes_two_pos_in_one_go():
    a = make_trade()
    b = make_trade(reseller=a.reseller)
    pos = services.purchase_orders_place_cart(
        actor=a.reseller_user,
        reseller=a.reseller,
        lines=[{"sku_id": a.sku.pk, "quantity": 1, "retail_price": "99.00"}, {"sku_id": b.sku.pk, "quantity": 2, "retail_price": "99.00"}],
        consumer_order_ref="TB-9",
        address=ADDRESS,
    )
    assert sorted(po.supplier_id for po in pos) == sorted([a.supplier.pk, b.supplier.pk])
    assert all(po.lines.count() == 1 for po in pos)


def test_cart_is_all_or_nothing_when_one_supplier_lacks_stock():
    a = make_trade()
    b = make_trade(reseller=a.reseller, on_hand=1)
    outbox_rows = OutboxMessage.objects.count()
    with pytest.raises(DomainError) as exc:
        services.purchase_orders_place_cart(
            actor=a.reseller_user,
            reseller=a.reseller,
            lines=[
                {"sku_id": a.sku.pk, "quantity": 1, "retail_price": "99.00"},
                {"sku_id": b.sku.pk, "quantity": 2, "retail_price": "99.00"},
            ],
            consumer_order_ref="TB-9",
            address=ADDRESS,
        )
    assert exc.value.code == "insufficient_stock"
    assert not PurchaseOrder.objects.exists()
    assert reload_sku(a.sku).reserved == 0
    # the short SKU's reservation carried the outbox rows (outbox.write_with): they rolled back with it
    assert OutboxMessage.objects.count() == outbox_rows


def test_auto_pay_pays_at_placement_when_the_wallet_covers_it():
    trade = make_trade(funds="500.00")
    type(trade.reseller).objects.filter(pk=trade.reseller.pk).update(auto_pay=True)
    trade.reseller.refresh_from_db()
    po = place(trade)
    assert po.status == PurchaseOrder.Status.PAID
    assert escrow_held(po.number) == D("99.00") - D("49.00") + D("0")  # 1 × 50.00 supply price
    assert wallet_balance(trade.reseller.organisation) == D("450.00")


def test_auto_pay_leaves_po_unpaid_and_says_why_when_balance_is_short():
    trade = make_trade(funds="10.00")
    type(trade.reseller).objects.filter(pk=trade.reseller.pk).update(auto_pay=True)
    trade.reseller.refresh_from_db()
    po = place(trade)
    assert po.status == PurchaseOrder.Status.AWAITING_PAYMENT
    note = Notification.objects.get(user=trade.reseller_user, kind="purchase_order.auto_pay_failed")
    assert "10.00" in note.body and "50.00" in note.body
    assert wallet_balance(trade.reseller.organisation) == D("10.00")


def test_float_prices_are_not_trusted_silently():
    trade = make_trade()
    po = services.purchase_order_place(
        actor=trade.reseller_user,
        reseller=trade.reseller,
        supplier=trade.supplier,
        lines=[{"sku": trade.sku, "quantity": 1, "retail_price": 99.1}],
        consumer_order_ref="X",
        address=ADDRESS,
    )
    assert po.lines.get().retail_price == Decimal("99.10")


def test_auto_pay_losing_a_race_for_the_balance_still_places_the_po(monkeypatch):
    # given the balance looked sufficient but is spent by the time the hold is taken
    trade = make_trade(funds="10.00")
    type(trade.reseller).objects.filter(pk=trade.reseller.pk).update(auto_pay=True)
    trade.reseller.refresh_from_db()
    monkeypatch.setattr("settlement.services.wallet_balance", lambda organisation: D("1000.00"))
    # when
    po = place(trade)
    # then
    assert po.status == PurchaseOrder.Status.AWAITING_PAYMENT
    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.AWAITING_PAYMENT
    assert reload_sku(trade.sku).reserved == 1
    assert Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.auto_pay_failed").exists()
