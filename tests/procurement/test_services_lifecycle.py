from datetime import timedelta

import pytest

from accounts.models import Notification
from distribution.core.errors import DomainError, InvalidState
from procurement import services
from procurement.models import PurchaseOrder, PurchaseOrderTransition
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from settlement.services import escrow_held, wallet_balance
from tests.procurement.factories import ADDRESS, D, make_trade, place, reload, reload_sku

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


@pytest.fixture
def trade():
    return make_trade(funds="1000.00", on_hand=10)


def pay(trade, po, **kw):
    return services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po, **kw)


def ship(trade, po, **kw):
    return services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="順豐", tracking_number="SF1234567890", **kw)


def test_pay_moves_the_total_into_escrow_and_starts_the_ship_deadline(trade):
    po = place(trade, quantity=2)
    po = pay(trade, po)
    assert po.status == S.PAID
    assert po.ship_by == po.paid_at + timedelta(days=15)
    assert escrow_held(po.number) == D("100.00")
    assert wallet_balance(trade.reseller.organisation) == D("900.00")
    assert Notification.objects.filter(user=trade.supplier_user, kind="purchase_order.paid").exists()
    assert reconcile().ok


def test_pay_is_refused_when_balance_is_short():
    trade = make_trade(funds="10.00")
    po = place(trade)
    with pytest.raises(DomainError) as exc:
        pay(trade, po)
    assert exc.value.code == "insufficient_balance"
    assert reload(po).status == S.AWAITING_PAYMENT
    assert PurchaseOrderTransition.objects.filter(purchase_order=po).count() == 1


def test_second_pay_says_already_paid_and_moves_no_money(trade):
    po = place(trade)
    pay(trade, po)
    with pytest.raises(InvalidState) as exc:
        pay(trade, po)
    assert exc.value.message == "This purchase order was already paid."
    assert JournalTransaction.objects.filter(reference=po.number).count() == 1


def test_pay_after_the_deadline_is_refused(trade):
    po = place(trade)
    with pytest.raises(InvalidState):
        pay(trade, po, now=po.pay_by)


def test_cancel_closes_and_releases_stock(trade):
    po = place(trade, quantity=4)
    po = services.purchase_order_cancel(actor=trade.reseller_user, purchase_order=po)
    assert po.status == S.CLOSED and po.closed_at
    assert reload_sku(trade.sku).reserved == 0
    with pytest.raises(InvalidState, match="already closed"):
        pay(trade, po)


def test_cancel_after_payment_is_refused(trade):
    po = pay(trade, place(trade))
    with pytest.raises(InvalidState, match="already paid"):
        services.purchase_order_cancel(actor=trade.reseller_user, purchase_order=po)


def test_ship_turns_reservation_into_on_hand_decrement_and_starts_auto_confirm(trade):
    po = pay(trade, place(trade, quantity=3))
    po = ship(trade, po)
    sku = reload_sku(trade.sku)
    assert (sku.on_hand, sku.reserved) == (7, 0)
    assert po.status == S.SHIPPED
    assert po.confirm_by == po.dispute_until == po.shipped_at + timedelta(days=30)
    assert (po.carrier, po.tracking_number) == ("順豐", "SF1234567890")
    assert Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.shipped").exists()


@pytest.mark.parametrize(("carrier", "tracking", "field"), [("", "SF1", "carrier"), ("順豐", " ", "tracking_number")])
def test_ship_needs_carrier_and_tracking_number(trade, carrier, tracking, field):
    po = pay(trade, place(trade))
    with pytest.raises(DomainError) as exc:
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier=carrier, tracking_number=tracking)
    assert exc.value.field == field
    assert reload(po).status == S.PAID


def test_unpaid_po_cannot_be_shipped(trade):
    po = place(trade)
    with pytest.raises(InvalidState, match="not been paid"):
        ship(trade, po)


def test_supplier_cancel_refunds_reseller_and_releases_stock(trade):
    po = pay(trade, place(trade, quantity=2))
    po = services.purchase_order_supplier_cancel(actor=trade.supplier_user, purchase_order=po, reason="缺貨")
    assert po.status == S.REFUNDED and po.status_reason == "缺貨"
    assert wallet_balance(trade.reseller.organisation) == D("1000.00")
    assert escrow_held(po.number) == D("0.00")
    assert reload_sku(trade.sku).reserved == 0
    assert reconcile().ok


def test_supplier_cancel_needs_a_reason(trade):
    po = pay(trade, place(trade))
    with pytest.raises(DomainError) as exc:
        services.purchase_order_supplier_cancel(actor=trade.supplier_user, purchase_order=po, reason=" ")
    assert exc.value.field == "reason"


def test_confirm_receipt_releases_money_to_supplier_less_commission(trade):
    po = ship(trade, pay(trade, place(trade, quantity=2)))
    po = services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    assert po.status == S.COMPLETED and po.completed_at
    assert wallet_balance(trade.supplier.organisation) == D("95.00")  # 100.00 less 5 %
    assert escrow_held(po.number) == D("0.00")
    with pytest.raises(InvalidState, match="already completed"):
        services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    assert reconcile().ok


def test_every_transition_is_logged_with_who_and_from_to(trade):
    po = place(trade)
    pay(trade, po)
    ship(trade, reload(po))
    services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    rows = list(PurchaseOrderTransition.objects.filter(purchase_order=po).values_list("from_status", "to_status", "actor"))
    assert rows == [
        ("", S.AWAITING_PAYMENT, trade.reseller_user.pk),
        (S.AWAITING_PAYMENT, S.PAID, trade.reseller_user.pk),
        (S.PAID, S.SHIPPED, trade.supplier_user.pk),
        (S.SHIPPED, S.COMPLETED, trade.reseller_user.pk),
    ]


def test_status_cannot_be_assigned_directly(trade):
    po = place(trade)
    with pytest.raises(AttributeError):
        po.status = S.PAID


def test_dispute_holds_auto_confirm_and_withdraw_resumes_with_time_left(trade):
    po = ship(trade, pay(trade, place(trade)))
    opened_at = po.shipped_at + timedelta(days=10)
    po = services.purchase_order_dispute_open(actor=trade.reseller_user, purchase_order=po, reason="破損", now=opened_at)
    assert po.status == S.DISPUTED
    assert po.confirm_remaining == timedelta(days=20)
    withdrawn_at = opened_at + timedelta(days=5)
    po = services.purchase_order_dispute_withdraw(actor=trade.reseller_user, purchase_order=po, now=withdrawn_at)
    assert po.status == S.SHIPPED
    assert po.confirm_by == withdrawn_at + timedelta(days=20)


def test_dispute_after_the_window_is_refused(trade):
    po = ship(trade, pay(trade, place(trade)))
    with pytest.raises(InvalidState):
        services.purchase_order_dispute_open(actor=trade.reseller_user, purchase_order=po, now=po.dispute_until)


@pytest.mark.parametrize(
    ("refund", "release", "status", "reseller_wallet", "supplier_wallet"),
    [
        ("50.00", "0.00", S.REFUNDED, "1000.00", "0.00"),
        ("0.00", "50.00", S.COMPLETED, "950.00", "47.50"),
        ("20.00", "30.00", S.PARTIALLY_REFUNDED, "970.00", "28.50"),
    ],
)
def test_dispute_settlement_splits_escrow(trade, refund, release, status, reseller_wallet, supplier_wallet):
    po = ship(trade, pay(trade, place(trade)))
    po = services.purchase_order_dispute_open(actor=trade.reseller_user, purchase_order=po)
    po = services.purchase_order_dispute_settle(actor=None, purchase_order=po, refund_amount=D(refund), release_amount=D(release))
    assert po.status == status
    assert wallet_balance(trade.reseller.organisation) == D(reseller_wallet)
    assert wallet_balance(trade.supplier.organisation) == D(supplier_wallet)
    assert escrow_held(po.number) == D("0.00")
    assert reconcile().ok


def test_dispute_settlement_must_add_up_to_the_total(trade):
    po = ship(trade, pay(trade, place(trade)))
    po = services.purchase_order_dispute_open(actor=trade.reseller_user, purchase_order=po)
    with pytest.raises(DomainError):
        services.purchase_order_dispute_settle(actor=None, purchase_order=po, refund_amount=D("10.00"), release_amount=D("10.00"))
    assert reload(po).status == S.DISPUTED


def test_address_can_be_corrected_until_shipping_and_supplier_is_told(trade):
    po = pay(trade, place(trade))
    new = dict(ADDRESS, recipient="李四", province="110000", city="110100", district="110105", street="建國路1號", postal_code="100022")
    po = services.purchase_order_update_address(actor=trade.reseller_user, purchase_order=po, address=new)
    assert (po.recipient, po.district_code) == ("李四", "110105")
    assert Notification.objects.filter(user=trade.supplier_user, kind="purchase_order.address_changed").exists()
    ship(trade, po)
    with pytest.raises(InvalidState):
        services.purchase_order_update_address(actor=trade.reseller_user, purchase_order=po, address=new)


def test_saved_addresses_belong_to_their_reseller(trade):
    saved = services.saved_address_create(actor=trade.reseller_user, reseller=trade.reseller, address=ADDRESS)
    other = make_trade()
    services.saved_address_delete(actor=other.reseller_user, reseller=other.reseller, saved_address_id=saved.pk)
    assert type(saved).objects.filter(pk=saved.pk).exists()
    services.saved_address_delete(actor=trade.reseller_user, reseller=trade.reseller, saved_address_id=saved.pk)
    assert not type(saved).objects.filter(pk=saved.pk).exists()


def test_bulk_ship_is_all_or_nothing_with_errors_by_row(trade):
    a = pay(trade, place(trade))
    b = pay(trade, place(trade))
    with pytest.raises(services.BulkShipFailed) as exc:
        services.purchase_orders_bulk_ship(
            actor=trade.supplier_user,
            supplier=trade.supplier,
            rows=[[a.number, "順豐", "SF1"], [b.number, "", "SF2"], ["PO-NOPE", "順豐", "SF3"]],
        )
    assert [row for row, _m in exc.value.errors] == [2, 3]
    assert reload(a).status == S.PAID
    shipped = services.purchase_orders_bulk_ship(
        actor=trade.supplier_user, supplier=trade.supplier, rows=[[a.number, "順豐", "SF1"], [b.number, "圓通", "YT2"]]
    )
    assert {po.status for po in shipped} == {S.SHIPPED}
    assert reload_sku(trade.sku).on_hand == 8


def test_bulk_ship_refuses_another_suppliers_po(trade):
    other = make_trade(funds="100.00")
    po = pay(other, place(other))
    with pytest.raises(services.BulkShipFailed):
        services.purchase_orders_bulk_ship(actor=trade.supplier_user, supplier=trade.supplier, rows=[[po.number, "順豐", "SF1"]])
    assert reload(po).status == S.PAID
