"""The daily rollups: hand-computed rows, and the incremental sweep always equal to a full rebuild."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import time_machine
from django.core.management import call_command

from procurement import services
from reports import rollup
from reports.models import (
    DailySales,
    DailySkuSales,
    MonthlySales,
    PartyDailySales,
    PartyMonthlySales,
    PlatformDailySales,
    RollupCursor,
)
from tests.procurement.factories import place

from .conftest import at, make_history

D = Decimal


ROLLUPS = (DailySales, DailySkuSales, PlatformDailySales, PartyDailySales, PartyMonthlySales, MonthlySales)


def snapshot() -> tuple[list, ...]:
    """Every rollup table's rows (without ids): the PO rollups and the platform's tables added up from them."""
    return tuple(sorted(model.objects.values_list(*[f.name for f in model._meta.fields if f.name != "id"])) for model in ROLLUPS)


def test_rows_are_per_payment_day_in_shanghai_with_refunds_partial_refunds_and_commission(history):
    rollup.rebuild()
    s, r1, r2 = history.s.supplier.pk, history.r1.pk, history.r2.pk
    rows = {(r.day, r.reseller_id): r for r in DailySales.objects.filter(supplier_id=s)}
    assert set(rows) == {(date(2026, 11, 2), r1), (date(2026, 11, 3), r1), (date(2026, 11, 3), r2)}
    first = rows[date(2026, 11, 2), r1]
    assert (first.pos, first.gmv, first.refunds, first.commission, first.shipped_pos, first.ship_seconds, first.late_pos) == (
        1, D("100.00"), D("0.00"), D("5.00"), 1, 12 * 3600, 0,
    )  # fmt: skip
    cancelled = rows[date(2026, 11, 3), r1]  # paid at 00:30 +08:00, i.e. 16:30 UTC on 11-02
    assert (cancelled.pos, cancelled.gmv, cancelled.refunds, cancelled.refunded_pos, cancelled.late_pos) == (
        1,
        D("50.00"),
        D("50.00"),
        1,
        0,
    )
    disputed = rows[date(2026, 11, 3), r2]
    assert (disputed.pos, disputed.gmv, disputed.refunds, disputed.partially_refunded_pos, disputed.disputed_pos) == (
        1, D("150.00"), D("30.00"), 1, 1,
    )  # fmt: skip
    assert (disputed.late_pos, disputed.ship_seconds, disputed.commission) == (1, 72 * 3600, D("6.00"))
    skus = {(r.day, r.reseller_id): (r.units, r.supply, r.retail) for r in DailySkuSales.objects.all()}
    # the fully refunded po2 sold nothing; the partially refunded po3 still sold its 3 units
    assert skus == {(date(2026, 11, 2), r1): (2, D("100.00"), D("198.00")), (date(2026, 11, 3), r2): (3, D("150.00"), D("297.00"))}


def test_the_incremental_sweep_equals_a_full_rebuild_at_every_step(db):
    """The sweep follows the POs step by step (placing, paying, shipping, refunds, a dispute); after
    each run its rows are exactly what a full rebuild computes from scratch."""
    with time_machine.travel(at(2026, 10, 1, 8, 0), tick=False):
        rollup.rebuild()  # empty tables, the cursor set
    history = make_history()  # every step after the cursor
    with time_machine.travel(at(2026, 11, 8, 13, 0), tick=False):
        assert rollup.refresh_changed(batch_size=2) >= 4
        incremental = snapshot()
        rollup.rebuild()
        assert snapshot() == incremental
        assert len(incremental[0]) == 3

    # later changes reach the same rows: a new PO on an existing day is paid and then refunded
    with time_machine.travel(at(2026, 11, 9, 8, 0), tick=False):
        services.purchase_order_pay(actor=history.s.reseller_user, purchase_order=history.po4)
        rollup.refresh_changed(batch_size=2)
        after_pay = snapshot()
        rollup.rebuild()
        assert snapshot() == after_pay
        held = PlatformDailySales.objects.get(day=date(2026, 11, 9))  # po4, paid and not shipped: in escrow
        assert (held.pos, held.gmv, held.escrow_pos, held.escrow_amount) == (1, D("50.00"), 1, D("50.00"))
        month = PartyMonthlySales.objects.get(role="reseller", party_id=history.r1.pk, month=date(2026, 11, 1))
        assert (month.pos, month.gmv, month.refunds) == (3, D("200.00"), D("50.00"))
        pair = MonthlySales.objects.get(supplier_id=history.s.supplier.pk, reseller_id=history.r1.pk, month=date(2026, 11, 1))
        assert (pair.pos, pair.gmv, pair.refunds) == (month.pos, month.gmv, month.refunds)  # r1 buys from this supplier only
    with time_machine.travel(at(2026, 11, 9, 9, 0), tick=False):
        services.purchase_order_supplier_cancel(actor=history.s.supplier_user, purchase_order=history.po4, reason="缺貨")
        po5 = place(history.s, quantity=1, ref="TB-5")
        services.purchase_order_pay(actor=history.s.reseller_user, purchase_order=po5)
        rollup.refresh_changed(batch_size=1)
        after_refund = snapshot()
        rollup.rebuild()
        assert snapshot() == after_refund
        held = PlatformDailySales.objects.get(day=date(2026, 11, 9))  # po4 refunded, po5 paid: still one held
        assert (held.pos, held.gmv, held.refunds, held.escrow_pos, held.escrow_amount) == (2, D("100.00"), D("50.00"), 1, D("50.00"))
    day9 = DailySales.objects.get(supplier_id=history.s.supplier.pk, reseller_id=history.r1.pk, day=date(2026, 11, 9))
    assert (day9.pos, day9.gmv, day9.refunds, day9.refunded_pos) == (2, D("100.00"), D("50.00"), 1)


def test_the_command_rebuilds_and_sets_the_cursor(history):
    DailySales.objects.all().delete()
    call_command("rebuild_report_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DailySales.objects.count() == 3
    assert RollupCursor.objects.get(name=rollup.CURSOR).last_id > 0


def test_the_sweep_is_registered_and_scheduled():
    from distribution.celery import app
    from distribution.core import sweeps

    assert "report_rollups" in sweeps.registered_sweeps()
    assert "weekly_digests" in sweeps.registered_sweeps()
    by_name = {e["args"][0]: e for e in app.conf.beat_schedule.values() if e.get("args")}
    assert by_name["weekly_digests"]["schedule"].day_of_week == {1}
    assert by_name["weekly_digests"]["schedule"].hour == {8}
