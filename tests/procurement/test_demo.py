import pytest

from procurement import demo
from procurement.models import PurchaseOrder
from settlement.reconcile import reconcile
from tests.procurement.factories import make_trade
from tests.suppliers.factories import SKUFactory

pytestmark = pytest.mark.django_db


def _ctx():
    one = make_trade(funds="5000.00", on_hand=50)
    two = make_trade(reseller=one.reseller, on_hand=50)
    return {
        "lines": [],
        "reseller1": one.reseller,
        "reseller1_user": one.reseller_user,
        "supplier1": one.supplier,
        "supplier1_user": one.supplier_user,
        "supplier2": two.supplier,
        "supplier2_user": two.supplier_user,
        "listed_skus": {"supplier1": [SKUFactory(product__supplier=one.supplier, on_hand=0), one.sku], "supplier2": [two.sku]},
    }


def test_demo_makes_pos_in_every_state_for_both_suppliers_and_is_idempotent():
    ctx = _ctx()
    demo.seed(ctx)
    states = {(po.supplier_id, po.status) for po in PurchaseOrder.objects.all()}
    for supplier in (ctx["supplier1"], ctx["supplier2"]):
        for state in demo.STATES:
            assert (supplier.pk, state) in states
    count = PurchaseOrder.objects.count()
    demo.seed(ctx)
    assert PurchaseOrder.objects.count() == count == 12
    assert reconcile().ok


def test_demo_does_nothing_without_its_ctx_keys():
    demo.seed({"lines": []})
    assert not PurchaseOrder.objects.exists()
