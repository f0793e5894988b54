"""Several packages per PO, clocks from the last one, tracking corrections, carriers."""

from datetime import timedelta

import pytest

from accounts.models import Notification
from distribution.core.errors import InvalidState, ValidationFailed
from procurement import services
from procurement.carriers import carrier_code, tracking_url
from procurement.models import Package, PurchaseOrder, PurchaseOrderTransition
from procurement.sweeps import refund_unshipped
from tests.procurement.factories import make_trade, place, reload, reload_sku
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


def test_a_partly_shipped_po_is_not_refunded_as_unshipped(trade):
    po, _other = paid_two_lines(trade)
    whole = place(trade)
    whole = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=whole)
    line = lines(po)[trade.sku.pk]
    services.purchase_order_ship_package(
        actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="1", quantities={line.pk: 1}
    )
    refund_unshipped(now=reload(po).ship_by + timedelta(minutes=1))
    assert reload(po).status == S.PAID
    assert reload(whole).status == S.REFUNDED
    assert services.purchase_order_refund_unshipped(purchase_order_id=po.pk, now=reload(po).ship_by + timedelta(days=1)) is None
    # the rest may still follow after ship_by
    po = services.purchase_order_ship(
        actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="2", now=reload(po).ship_by + timedelta(days=1)
    )
    assert po.status == S.SHIPPED


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
    assert Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.tracking_corrected").exists()
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
