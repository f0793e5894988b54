"""A hand-computed trading history (all times Asia/Shanghai, +08:00), made through the real services.

Supplier S (5 % commission), SKU at supply ¥50.00, sold at retail ¥99.00, no shipping fee:

========  ========  ===========================  =================================================
PO        reseller  paid (+08:00)                what happened
========  ========  ===========================  =================================================
po1       R1        2026-11-02 23:30             ×2 = ¥100.00; shipped 12 h later; received:
                                                 commission ¥5.00
po2       R1        2026-11-03 00:30 (16:30 UTC  ×1 = ¥50.00; supplier cancels: refunded ¥50.00
                    on 11-02)
po3       R2        2026-11-03 10:00             ×3 = ¥150.00; shipped 72 h later (late, SLA 48 h);
                                                 disputed, settled ¥30.00 back, ¥120.00 released:
                                                 commission ¥6.00
po4       R1        never (placed 11-03)         not a sale
========  ========  ===========================  =================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from disputes import services as disputes
from procurement import services
from tests.procurement.factories import make_trade, place

SH = ZoneInfo("Asia/Shanghai")
D = Decimal


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@dataclass
class History:
    s: object
    r1: object
    r2: object
    po1: object
    po2: object
    po3: object
    po4: object


def _step(moment: datetime):
    return time_machine.travel(moment, tick=False)


def make_history() -> History:
    with _step(at(2026, 10, 1, 9, 0)):
        s = make_trade(funds="1000.00")
        r2 = make_trade(supplier=s.supplier, funds="1000.00")
    with _step(at(2026, 11, 2, 23, 0)):
        po1 = place(s, quantity=2, ref="TB-1")
    with _step(at(2026, 11, 2, 23, 30)):
        services.purchase_order_pay(actor=s.reseller_user, purchase_order=po1)
    with _step(at(2026, 11, 3, 0, 10)):
        po2 = place(s, quantity=1, ref="TB-2")
        po4 = place(s, quantity=1, ref="TB-4")
    with _step(at(2026, 11, 3, 0, 30)):
        services.purchase_order_pay(actor=s.reseller_user, purchase_order=po2)
    with _step(at(2026, 11, 3, 9, 0)):
        po3 = place(r2, quantity=3, ref="TB-3")
    with _step(at(2026, 11, 3, 10, 0)):
        services.purchase_order_pay(actor=r2.reseller_user, purchase_order=po3)
    with _step(at(2026, 11, 3, 11, 30)):
        services.purchase_order_ship(actor=s.supplier_user, purchase_order=po1, carrier="SF", tracking_number="SF1")
    with _step(at(2026, 11, 4, 8, 0)):
        services.purchase_order_supplier_cancel(actor=s.supplier_user, purchase_order=po2, reason="缺貨")
    with _step(at(2026, 11, 5, 9, 0)):
        services.purchase_order_confirm_receipt(actor=s.reseller_user, purchase_order=po1)
    with _step(at(2026, 11, 6, 10, 0)):
        services.purchase_order_ship(actor=s.supplier_user, purchase_order=po3, carrier="SF", tracking_number="SF3")
    with _step(at(2026, 11, 8, 10, 0)):
        dispute = disputes.dispute_open(
            actor=r2.reseller_user, purchase_order=po3, reason="damaged", requested_amount="30.00", description="外盒破損"
        )
        offer = disputes.dispute_make_offer(actor=s.supplier_user, dispute=dispute, refund_amount="30.00")
    with _step(at(2026, 11, 8, 12, 0)):
        disputes.dispute_accept_offer(actor=r2.reseller_user, offer=offer)
    return History(s=s, r1=s.reseller, r2=r2.reseller, po1=po1, po2=po2, po3=po3, po4=po4)


@pytest.fixture
def history(db) -> History:
    return make_history()
