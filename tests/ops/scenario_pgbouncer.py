"""Run by ``test_scale_out.py`` in its own process with DATABASE_URL pointing at pgbouncer
(transaction mode) and ``DATABASE_POOLER=pgbouncer``: place purchase orders (the same statements
many times over, past psycopg's default prepare threshold), pay one, and run the close_unpaid
sweep. Prints one JSON line."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import django


def place_and_sweep() -> dict:
    from django.db import connection
    from django.utils import timezone

    from distribution.core import sweeps
    from procurement import services
    from procurement.models import PurchaseOrder
    from tests.procurement.factories import make_trade, place

    now = timezone.now()
    trade = make_trade(funds="1000.00")
    numbers = [place(trade, now=now - timedelta(days=8), ref=f"TB-B{i}").number for i in range(8)]
    paid = place(trade, now=now, ref="TB-PAID")
    services.purchase_order_pay(actor=trade.reseller_user, purchase_order=paid, now=now)
    result = sweeps.run_sweep("close_unpaid", now=now)
    statuses = dict(PurchaseOrder.objects.filter(number__in=[*numbers, paid.number]).values_list("number", "status"))
    return {
        "prepare_threshold": connection.connection.prepare_threshold,
        "pool": "pool" in connection.settings_dict["OPTIONS"],
        "closed": sorted(n for n in numbers if statuses[n] == PurchaseOrder.Status.CLOSED),
        "numbers": sorted(numbers),
        "paid_status": statuses[paid.number],
        "sweep_count": result.count,
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps({"place_and_sweep": place_and_sweep}[sys.argv[1]]()))
