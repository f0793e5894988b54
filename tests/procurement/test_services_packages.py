"""Several packages per PO, clocks from the last one, tracking corrections, carriers."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from accounts.models import Notification
from distribution.core.errors import InvalidState, ValidationFailed
from procurement import services
from procurement.carriers import carrier_code, tracking_url
from procurement.models import Package, PurchaseOrder, PurchaseOrderTransition
from procurement.sweeps import refund_unshipped
from tests.procurement.factories import D, make_trade, place, reload, reload_sku
from tests.suppliers.factories import SKUFactory

pytestmark = pytest.mark.django_db
S = PurchaseOrder.Status


@pytest.fixture
def trade():
    return make_trade(funds="1000.00", on_hand=10)


def paid_two_lines(trade, now=None):
    other = SKUFactory(product__supplier=trade.supplier, on_hand=10, attributes={"顏色": "紅", "尺碼": "M"})
    from tests.procurement.factories import ADDRESS, D

    po = services.purchase_order_place(
        actor=trade.reseller_user,
        reseller=trade.reseller,
        supplier=trade.supplier,
        lines=[{"sku": trade.sku, "quantity": 3, "retail_price": D("99.00")}, {"sku": other, "quantity": 1, "retail_price": D("99.00")}],
        consumer_order_ref="TB-2",
        address=dict(ADDRESS),
        now=now,
    )
    return services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po, now=now), other


def lines(po):
    return {line.sku_id: line for line in po.lines.all()}


def test_lines_keep_the_variant_of_their_sku(trade):
    po, other = paid_two_lines(trade)
    line = lines(po)[other.pk]
    assert line.attributes == {"顏色": "紅", "尺碼": "M"}
    assert sorted(line.variant_label.split(" / ")) == ["尺碼: M", "顏色: 紅"]  # jsonb keeps its own key order


def test_a_first_package_leaves_the_po_paid_and_the_last_ships_it_with_clocks_from_it(trade):
    po, other = paid_two_lines(trade)
    by_sku = lines(po)
    first_at = po.paid_at + timedelta(hours=1)
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="順豐速運", tracking_number="SF1",
        quantities={by_sku[trade.sku.pk].pk: 2}, now=first_at,
    )  # fmt: skip
    po = reload(po)
    assert po.status == S.PAID and po.first_shipped_at == first_at and po.confirm_by is None
    assert reload_sku(trade.sku).on_hand == 8
    assert Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.shipped", title__contains="more to follow").exists()
    last_at = first_at + timedelta(days=2)
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="中通", tracking_number="ZT2",
        quantities={by_sku[trade.sku.pk].pk: 1, by_sku[other.pk].pk: 1}, now=last_at,
    )  # fmt: skip
    po = reload(po)
    assert po.status == S.SHIPPED
    assert po.shipped_at == last_at
    assert po.confirm_by == last_at + timedelta(days=30)
    assert po.dispute_until == po.confirm_by
    assert po.packages.count() == 2
    assert reload_sku(trade.sku).on_hand == 7 and reload_sku(trade.sku).reserved == 0
    assert (po.carrier, po.tracking_number) == ("中通", "ZT2")


def test_a_package_cannot_hold_more_than_is_left(trade):
    po, _other = paid_two_lines(trade)
    line = lines(po)[trade.sku.pk]
    with pytest.raises(ValidationFailed) as exc:
        services.purchase_order_ship_package(
            actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={line.pk: 4}
        )
    assert exc.value.field == "lines"
    with pytest.raises(ValidationFailed):
        services.purchase_order_ship_package(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={})
    assert not Package.objects.filter(purchase_order=po).exists()


def test_ship_as_called_today_ships_whatever_is_left_as_one_package(trade):
    po, _other = paid_two_lines(trade)
    line = lines(po)[trade.sku.pk]
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={line.pk: 1}
    )
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="韻達", tracking_number="YD3")
    assert po.status == S.SHIPPED
    last = po.packages.order_by("-id").first()
    assert sorted(pl.quantity for pl in last.lines.all()) == [1, 2]


def test_at_ship_by_a_partly_shipped_po_has_the_rest_refunded_and_the_shipped_part_keeps_its_clocks(trade):
    from settlement.reconcile import reconcile
    from settlement.services import escrow_held, wallet_balance

    paid_at = timezone.now()
    po, other = paid_two_lines(trade, now=paid_at)  # 3 × 50.00 + 1 × 50.00 = 200.00 held
    whole = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, ref="TB-3", now=paid_at), now=paid_at)
    line = lines(po)[trade.sku.pk]
    shipped_at = po.paid_at + timedelta(days=3)
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={line.pk: 2}, now=shipped_at
    )
    wallet = wallet_balance(trade.reseller.organisation)
    ship_by = reload(po).ship_by

    with time_machine.travel(ship_by - timedelta(seconds=1), tick=False):
        refund_unshipped(now=timezone.now())
    assert reload(po).status == S.PAID and escrow_held(po.number) == D("200.00")

    with time_machine.travel(ship_by, tick=False):
        result = refund_unshipped(now=timezone.now())  # one batch: the whole PO refunded, the partly shipped one split

    assert sorted(result.acted) == sorted([po.number, whole.number])
    po = reload(po)
    assert reload(whole).status == S.REFUNDED
    # the rest (1 × 50.00 of the first line, 1 × 50.00 of the second) went back to the reseller
    assert po.status == S.SHIPPED and po.refund_amount == D("100.00")
    assert wallet_balance(trade.reseller.organisation) == wallet + D("100.00") + whole.total_amount
    assert escrow_held(po.number) == D("100.00")
    # the shipped part runs on its own clocks: from its last package, not from the deadline
    assert po.shipped_at == shipped_at and po.confirm_by == shipped_at + timedelta(days=30) and po.dispute_until == po.confirm_by
    # the reservations of what never left are given back; what left stays off on-hand
    assert (reload_sku(trade.sku).on_hand, reload_sku(trade.sku).reserved) == (8, 0)
    assert (reload_sku(other).on_hand, reload_sku(other).reserved) == (10, 0)
    last = PurchaseOrderTransition.objects.filter(purchase_order=po).latest("id")
    assert last.reason_text["kind"] == "purchase_order.reason.not_shipped_rest"
    assert Notification.objects.filter(user=trade.reseller_user, text_kind="purchase_order.refunded_unshipped_rest").exists()
    assert reconcile().ok
    # nothing more may ship, and a second run does nothing
    with pytest.raises(InvalidState):
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="2", now=ship_by)
    assert services.purchase_order_refund_unshipped(purchase_order_id=po.pk, now=ship_by + timedelta(days=1)) is None

    # later the shipped part completes on its clock: the supplier gets what is still held, less commission
    supplier_wallet = wallet_balance(trade.supplier.organisation)
    services.purchase_order_auto_confirm(purchase_order_id=po.pk, now=po.confirm_by)
    assert reload(po).status == S.COMPLETED
    assert wallet_balance(trade.supplier.organisation) == supplier_wallet + D("95.00")
    assert reconcile().ok


def test_the_single_po_timer_refunds_the_rest_the_same_way(trade):
    po, _other = paid_two_lines(trade)
    line = lines(po)[trade.sku.pk]
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={line.pk: 3}
    )
    ship_by = reload(po).ship_by
    assert services.purchase_order_refund_unshipped(purchase_order_id=po.pk, now=ship_by - timedelta(seconds=1)) is None
    po = services.purchase_order_refund_unshipped(purchase_order_id=po.pk, now=ship_by)
    assert po.status == S.SHIPPED and po.refund_amount == D("50.00")


def test_a_dispute_on_a_partly_refunded_po_divides_what_is_left(trade):
    from disputes import services as disputes
    from settlement.reconcile import reconcile
    from tests.accounts.factories import UserFactory

    po, _other = paid_two_lines(trade)
    line = lines(po)[trade.sku.pk]
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={line.pk: 3}
    )
    po = services.purchase_order_refund_unshipped(purchase_order_id=po.pk, now=reload(po).ship_by)
    dispute = disputes.dispute_open(
        actor=trade.reseller_user, purchase_order=po, reason="damaged", requested_amount="60.00", description="壞了",
        now=po.ship_by + timedelta(hours=1),
    )  # fmt: skip
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationFailed):  # the whole total is no longer in question
        disputes.dispute_decide(actor=staff, dispute=dispute, refund_amount="60.00", release_amount="140.00", decision="x")
    disputes.dispute_decide(actor=staff, dispute=dispute, refund_amount="60.00", release_amount="90.00", decision="半")
    po = reload(po)
    assert po.status == S.PARTIALLY_REFUNDED and po.refund_amount == D("110.00")
    assert reconcile().ok


def test_tracking_correction_keeps_the_old_value_in_the_timeline_and_tells_the_reseller(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="順豐", tracking_number="SF111")
    package = services.purchase_order_correct_tracking(
        actor=trade.supplier_user, purchase_order=po, carrier="京東", tracking_number="JD222"
    )
    assert (package.carrier_code, package.tracking_number) == ("jd", "JD222") and package.corrected_at is not None
    po = reload(po)
    assert (po.carrier, po.tracking_number, po.status) == ("京東", "JD222", S.SHIPPED)
    row = PurchaseOrderTransition.objects.filter(purchase_order=po).last()
    assert "順豐 SF111" in row.reason and "京東 JD222" in row.reason
    assert row.reason_text["kind"] == "purchase_order.reason.tracking_corrected"  # read in the reader's language
    notice = Notification.objects.get(user=trade.reseller_user, kind="purchase_order.tracking_corrected")
    assert notice.params == {"number": po.number, "new": "京東 JD222", "old": "順豐 SF111"}
    with translation.override("en"):
        assert notice.display_title == f"Purchase order {po.number}: tracking corrected to 京東 JD222 (was 順豐 SF111)"
    from distribution.core.models import OutboxMessage

    assert OutboxMessage.objects.filter(topic__contains="on_package_event").exists()


def test_tracking_correction_needs_a_shipment_and_a_change(trade):
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade))
    with pytest.raises(InvalidState):
        services.purchase_order_correct_tracking(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1")
    services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1")
    with pytest.raises(ValidationFailed):
        services.purchase_order_correct_tracking(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1")


def test_carriers_resolve_names_short_forms_and_codes():
    assert carrier_code("顺丰") == carrier_code("順豐速運") == carrier_code("SF") == "sf"
    assert carrier_code("某某物流") == "other"
    assert tracking_url("中通", "ZT 1/2") == "https://www.zto.com/?num=ZT%201%2F2"
    assert tracking_url("某某物流", "1") == ""
