"""The PO timers as batch sweeps: query budget per batch, same effects as one by one, failure isolation, races."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from distribution.core import sweeps as registry
from distribution.core.models import AuditEvent, Heartbeat, SweepFailure, SweepRun
from procurement import services
from procurement.models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderTransition
from settlement.models import JournalTransaction
from settlement.reconcile import reconcile
from settlement.services import escrow_held, wallet_balance
from tests.accounts.factories import MembershipFactory
from tests.concurrency import race
from tests.procurement.factories import make_trade, place, reload, reload_sku

S = PurchaseOrder.Status
SECOND = timedelta(seconds=1)


def unpaid_copies(trade, n, *, quantity=1):
    """``n`` unpaid POs of ``trade``: one placed through the service, the others copied in bulk (stock reserved too)."""
    template = place(trade, quantity=quantity)
    line = template.lines.get()
    copies = PurchaseOrder.objects.bulk_create(
        [
            PurchaseOrder(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in PurchaseOrder._meta.concrete_fields
                    if f.attname not in ("id", "number", "created_at", "updated_at")
                },
                number=f"{template.number}-{i}",
            )
            for i in range(1, n)
        ]
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=po,
                sku_id=line.sku_id,
                code=line.code,
                title=line.title,
                quantity=quantity,
                unit_price=line.unit_price,
                retail_price=line.retail_price,
                line_amount=line.line_amount,
            )
            for po in copies
        ]
    )
    sku = reload_sku(trade.sku)
    sku.reserved += quantity * (n - 1)
    sku.save(update_fields=["reserved"])
    return [template, *copies]


def paid(trade, n, *, quantity=1):
    return [services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, quantity=quantity)) for _ in range(n)]


def shipped(trade, n):
    return [
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="順豐速運", tracking_number=f"SF{po.pk:010d}")
        for po in paid(trade, n)
    ]


def queries_of(name, now):
    with CaptureQueriesContext(connection) as ctx:
        result = registry.run_sweep(name, now=now)
    return result, len(ctx.captured_queries)


# --- query budget -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_a_batch_of_100_unpaid_pos_costs_the_same_statements_as_10():
    small, large = make_trade(on_hand=1000), make_trade(on_hand=1000)
    MembershipFactory(organisation=large.reseller.organisation, role="staff")  # more members: more notifications, not more statements
    pos_small, pos_large = unpaid_copies(small, 10), unpaid_copies(large, 100)
    for po in pos_small:
        PurchaseOrder.objects.filter(pk=po.pk).update(pay_by=po.pay_by - timedelta(days=1))
    small_now = pos_small[0].pay_by - timedelta(days=1)

    result_small, count_small = queries_of("close_unpaid", small_now)
    result_large, count_large = queries_of("close_unpaid", pos_large[0].pay_by)

    assert (result_small.count, result_large.count) == (10, 100)
    assert count_small == count_large
    assert count_large <= 20
    assert reload_sku(large.sku).reserved == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "build", "deadline"), [("refund_unshipped", paid, "ship_by"), ("auto_confirm", shipped, "confirm_by")])
def test_a_money_timer_batch_costs_the_same_statements_for_3_and_12_pos(name, build, deadline):
    from settlement.ledger import platform_account

    platform_account("commission")  # created on first use: a one-time cost, not one of the batch
    small, large = make_trade(funds="10000.00"), make_trade(funds="10000.00")
    pos_small, pos_large = build(small, 3), build(large, 12)
    for po in pos_small:  # the small set falls due a day earlier, so each run sees only its own set
        PurchaseOrder.objects.filter(pk=po.pk).update(**{deadline: getattr(po, deadline) - timedelta(days=1)})

    result_small, count_small = queries_of(name, getattr(pos_small[-1], deadline) - timedelta(days=1))
    result_large, count_large = queries_of(name, getattr(pos_large[-1], deadline))

    assert (result_small.count, result_large.count) == (3, 12)
    assert count_small == count_large
    assert count_large <= 30
    assert reconcile().ok


# --- the batch does what the single-PO services do ---------------------------------------------------


@pytest.mark.django_db
def test_a_closed_batch_releases_stock_per_sku_and_records_like_the_single_service():
    trade = make_trade(on_hand=50)
    other_sku = make_trade(supplier=trade.supplier, reseller=trade.reseller, on_hand=50).sku
    pos = [place(trade, quantity=2), place(trade, quantity=3, sku=other_sku), place(trade, quantity=1)]
    now = max(po.pay_by for po in pos)

    result = registry.run_sweep("close_unpaid", now=now)

    assert sorted(result.acted) == sorted(po.number for po in pos)
    assert (reload_sku(trade.sku).reserved, reload_sku(other_sku).reserved) == (0, 0)
    for po in pos:
        po = reload(po)
        assert po.status == S.CLOSED and po.closed_at == now and "R9" in po.status_reason
        t = PurchaseOrderTransition.objects.filter(purchase_order=po).last()
        assert (t.actor, t.actor_label, t.from_status, t.to_status) == (None, "system", S.AWAITING_PAYMENT, S.CLOSED)
        audit = AuditEvent.objects.filter(action="purchase_order.closed", object_id=str(po.pk))
        assert audit.get().organisation == trade.reseller.organisation
    for user in (trade.reseller_user, trade.supplier_user):  # three POs of one reseller: one notification each side, naming all three
        [notice] = Notification.objects.filter(user=user, kind="purchase_order.closed")
        assert notice.params["count"] == 3 and all(po.number in notice.params["numbers"] for po in pos)
    assert registry.run_sweep("close_unpaid", now=now + timedelta(hours=1)).count == 0


# --- notifications: one per organisation and recipient for several POs of a batch ----------------------


@pytest.mark.django_db
def test_several_pos_of_one_reseller_in_a_batch_send_one_notification_naming_the_count_and_numbers(settings):
    from django.urls import reverse
    from django.utils import translation

    trade = make_trade(on_hand=50)
    alone = make_trade(supplier=trade.supplier, on_hand=50)  # another reseller of the supplier, one PO in the batch
    pos = [place(trade) for _ in range(7)]
    single = place(alone)
    now = max(po.pay_by for po in [*pos, single])

    assert registry.run_sweep("close_unpaid", now=now).count == 8

    [notice] = Notification.objects.filter(user=trade.reseller_user, kind="purchase_order.closed")
    shown = ", ".join(po.number for po in pos[:5]) + ", …"
    assert (notice.text_kind, notice.params) == ("purchase_order.closed_unpaid_many", {"count": 7, "numbers": shown})
    assert notice.url == reverse("procurement:reseller_po_list") + "?status=closed"
    expected = {
        "zh-hant": f"7 張採購單因未付款已關閉：{shown}",
        "zh-hans": f"7 张采购单因未付款已关闭：{shown}",
        "en": f"7 purchase orders were closed unpaid: {shown}",
    }
    assert notice.title == expected[settings.LANGUAGE_CODE.lower()]  # the default language's rendering, kept as the fallback
    for language, title in expected.items():
        with translation.override(language):
            assert notice.display_title == title
    # the supplier has 8 POs in the batch (two resellers): one notification for its owner
    [supplier_notice] = Notification.objects.filter(user=trade.supplier_user, kind="purchase_order.closed")
    assert supplier_notice.params["count"] == 8
    assert supplier_notice.url == reverse("procurement:supplier_po_list") + "?status=closed"
    with translation.override("en"):
        assert supplier_notice.display_title.startswith("8 purchase orders were closed unpaid: ")
    # the other reseller's one PO: today's notification, linked to the PO
    [own] = Notification.objects.filter(user=alone.reseller_user, kind="purchase_order.closed")
    assert (own.text_kind, own.params) == ("purchase_order.closed_unpaid", {"number": single.number})
    assert own.url == reverse("procurement:reseller_po_detail", args=[single.number])
    with translation.override("en"):
        assert own.display_title == f"Purchase order {single.number} was closed unpaid"


@pytest.mark.django_db
def test_a_single_po_in_a_batch_keeps_todays_notification(settings):
    from django.urls import reverse
    from django.utils import translation

    trade = make_trade(on_hand=50)
    po = place(trade)

    assert registry.run_sweep("close_unpaid", now=po.pay_by).count == 1

    for user, to in ((trade.reseller_user, "reseller"), (trade.supplier_user, "supplier")):
        [notice] = Notification.objects.filter(user=user, kind="purchase_order.closed")
        assert (notice.text_kind, notice.params) == ("purchase_order.closed_unpaid", {"number": po.number})
        assert notice.url == reverse(f"procurement:{to}_po_detail", args=[po.number])
        with translation.override(settings.LANGUAGE_CODE):
            assert notice.title == notice.display_title == f"Purchase order {po.number} was closed unpaid"
        with translation.override("zh-hant"):
            assert notice.display_title == f"採購單 {po.number} 因未付款已關閉"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "build", "deadline", "reseller_text", "en"),
    [
        ("refund_unshipped", paid, "ship_by", "purchase_order.refunded_unshipped_many", "were refunded, not shipped in time"),
        ("auto_confirm", shipped, "confirm_by", "purchase_order.confirmed_automatically_many", "were confirmed automatically"),
    ],
)
def test_a_money_timer_sends_one_notification_for_several_pos_of_one_reseller(name, build, deadline, reseller_text, en):
    from django.utils import translation

    trade = make_trade(funds="1000.00")
    pos = build(trade, 3)
    Notification.objects.all().delete()

    assert registry.run_sweep(name, now=getattr(pos[-1], deadline)).count == 3

    [notice] = Notification.objects.filter(user=trade.reseller_user)
    assert (notice.text_kind, notice.params["count"]) == (reseller_text, 3)
    with translation.override("en"):
        assert notice.display_title == f"3 purchase orders {en}: " + ", ".join(po.number for po in pos)
    [supplier_notice] = Notification.objects.filter(user=trade.supplier_user)
    assert supplier_notice.params["count"] == 3
    assert reconcile().ok


@pytest.mark.django_db
def test_a_refunded_batch_pays_each_po_back_with_a_running_wallet_balance():
    trade = make_trade(funds="1000.00")
    pos = paid(trade, 3, quantity=2)
    balance_before = wallet_balance(trade.reseller.organisation)

    result = registry.run_sweep("refund_unshipped", now=pos[-1].ship_by)

    assert result.count == 3
    assert wallet_balance(trade.reseller.organisation) == balance_before + sum(po.total_amount for po in pos)
    for po in pos:
        po = reload(po)
        assert (po.status, po.refund_amount, escrow_held(po.number)) == (S.REFUNDED, po.total_amount, 0)
        assert JournalTransaction.objects.filter(reference=po.number, kind="po_refund").count() == 1
    assert reload_sku(trade.sku).reserved == 0
    report = reconcile()
    assert report.ok, report
    assert registry.run_sweep("refund_unshipped", now=pos[-1].ship_by + timedelta(days=1)).count == 0


@pytest.mark.django_db
def test_an_auto_confirmed_batch_pays_the_supplier_less_commission_and_leaves_disputed_pos_waiting():
    trade = make_trade(funds="1000.00")
    pos = shipped(trade, 3)
    disputed = pos[0]
    PurchaseOrder.objects.filter(pk=disputed.pk).update(status=S.DISPUTED)
    supplier_before = wallet_balance(trade.supplier.organisation)

    result = registry.run_sweep("auto_confirm", now=pos[-1].confirm_by)

    assert sorted(result.acted) == sorted(po.number for po in pos[1:])
    released = sum(po.total_amount for po in pos[1:])
    commission = sum((po.total_amount * Decimal("0.05")).quantize(Decimal("0.01")) for po in pos[1:])
    assert wallet_balance(trade.supplier.organisation) == supplier_before + released - commission
    assert reload(disputed).status == S.DISPUTED and escrow_held(disputed.number) == disputed.total_amount
    assert all(reload(po).status == S.COMPLETED for po in pos[1:])
    assert reconcile().ok


@pytest.mark.django_db
def test_a_po_is_closed_at_its_deadline_and_its_neighbour_a_second_later_is_not():
    trade = make_trade(on_hand=10)
    due, not_yet = place(trade), place(trade)
    PurchaseOrder.objects.filter(pk=not_yet.pk).update(pay_by=due.pay_by + SECOND)

    assert registry.run_sweep("close_unpaid", now=due.pay_by).acted == [due.number]
    assert reload(not_yet).status == S.AWAITING_PAYMENT
    assert registry.run_sweep("close_unpaid", now=due.pay_by + SECOND).acted == [not_yet.number]


# --- failure isolation (issue 13) -------------------------------------------------------------------


@pytest.fixture
def failing_po():
    """A PostgreSQL trigger that raises when the PO with the given id is updated (dropped afterwards)."""
    holder = {}

    def arm(po_id):
        holder["id"] = po_id
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE OR REPLACE FUNCTION test_fail_po() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.id = {int(po_id)} THEN RAISE EXCEPTION 'injected failure for PO %', NEW.id; END IF; "
                "RETURN NEW; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_fail_po BEFORE UPDATE ON procurement_purchaseorder FOR EACH ROW EXECUTE FUNCTION test_fail_po()"
            )

    def disarm():
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS test_fail_po ON procurement_purchaseorder")

    holder["arm"], holder["disarm"] = arm, disarm
    yield holder
    disarm()


@pytest.mark.django_db
def test_a_po_that_raises_is_recorded_and_skipped_while_every_other_due_po_closes(failing_po, caplog, settings):
    settings.SWEEP_TIMER_BATCH_SIZE = 4
    trade = make_trade(on_hand=50)
    pos = [place(trade, quantity=1) for _ in range(10)]
    bad = pos[5]
    failing_po["arm"](bad.pk)
    now = pos[-1].pay_by

    with caplog.at_level(logging.WARNING):
        result = registry.run_sweep("close_unpaid", now=now)

    # then every other due PO is closed, the bad one is not, and its stock is still reserved
    assert sorted(result.acted) == sorted(po.number for po in pos if po != bad)
    assert result.failed_count == 1 and str(bad.pk) in result.failed[0]
    assert reload(bad).status == S.AWAITING_PAYMENT
    assert reload_sku(trade.sku).reserved == 1
    # the failure is logged with its id and traceback, and recorded
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and f"#{bad.pk} failed" in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    failure = SweepFailure.objects.get(sweep="close_unpaid", object_id=bad.pk)
    assert (failure.failures, failure.quarantined) == (1, False)
    assert "injected failure" in failure.last_error and "Traceback" in failure.traceback
    assert failure.next_retry_at == now + settings.SWEEP_RETRY_AFTER
    run = SweepRun.objects.filter(sweep="close_unpaid").latest("started_at")
    assert (run.acted, run.failed, run.backlog_after) == (9, 1, 1)

    # a run before the retry time leaves it alone; a later run retries it
    assert registry.run_sweep("close_unpaid", now=now + SECOND).failed_count == 0
    assert registry.run_sweep("close_unpaid", now=failure.next_retry_at).failed_count == 1
    assert SweepFailure.objects.get(pk=failure.pk).failures == 2

    # once the cause is gone, the next retry closes it and the record disappears
    failing_po["disarm"]()
    later = SweepFailure.objects.get(pk=failure.pk).next_retry_at
    assert registry.run_sweep("close_unpaid", now=later).acted == [bad.number]
    assert not SweepFailure.objects.exists()
    assert reload_sku(trade.sku).reserved == 0


@pytest.mark.django_db
def test_after_n_failures_a_po_is_quarantined_until_staff_retry_it_in_admin(failing_po, settings, admin_client):
    settings.SWEEP_QUARANTINE_AFTER = 3
    trade = make_trade(on_hand=10)
    good, bad = place(trade), place(trade)
    failing_po["arm"](bad.pk)
    now = bad.pay_by
    for _ in range(3):
        registry.run_sweep("close_unpaid", now=now)
        now = SweepFailure.objects.get(object_id=bad.pk).next_retry_at
    failure = SweepFailure.objects.get(object_id=bad.pk)
    assert (failure.failures, failure.quarantined) == (3, True)
    assert reload(good).status == S.CLOSED

    # quarantined: no sweep tries it again, however late
    assert registry.run_sweep("close_unpaid", now=now + timedelta(days=30)).failed_count == 0
    assert SweepFailure.objects.get(pk=failure.pk).failures == 3

    # staff see it in admin and retry it once the cause is fixed
    page = admin_client.get("/admin/core/sweepfailure/?quarantined__exact=1")
    assert page.status_code == 200 and str(bad.pk) in page.content.decode()
    failing_po["disarm"]()
    with time_machine.travel(now, tick=True):
        response = admin_client.post("/admin/core/sweepfailure/", {"action": "retry_now", "_selected_action": [failure.pk]}, follow=True)
    assert response.status_code == 200
    assert reload(bad).status == S.CLOSED
    assert not SweepFailure.objects.exists()


@pytest.mark.django_db
def test_sweep_deadlines_runs_every_sweep_when_one_row_fails_and_exits_non_zero(failing_po):
    trade = make_trade(funds="1000.00", on_hand=10)
    unpaid = place(trade)
    to_refund = paid(trade, 1)[0]
    PurchaseOrder.objects.filter(pk=unpaid.pk).update(pay_by=unpaid.placed_at)
    PurchaseOrder.objects.filter(pk=to_refund.pk).update(ship_by=to_refund.paid_at)
    failing_po["arm"](unpaid.pk)

    with pytest.raises(CommandError, match="1 rows failed"):
        call_command("sweep_deadlines")

    assert reload(unpaid).status == S.AWAITING_PAYMENT
    assert reload(to_refund).status == S.REFUNDED
    assert SweepRun.objects.filter(sweep="auto_confirm").exists()  # later sweeps ran too


@pytest.mark.django_db
def test_a_sweep_that_crashes_as_a_whole_is_reported_and_the_others_still_run(monkeypatch):
    trade = make_trade(on_hand=10)
    po = place(trade)
    PurchaseOrder.objects.filter(pk=po.pk).update(pay_by=po.placed_at)

    def broken(*, now, dry_run=False):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry._REGISTRY, "end_partnerships", registry.SweepSpec("end_partnerships", broken))
    results = {r.name: r for r in registry.run_all(now=po.pay_by + SECOND)}

    assert "boom" in results["end_partnerships"].error
    assert results["close_unpaid"].acted == [po.number]
    assert SweepRun.objects.get(sweep="end_partnerships").error == "RuntimeError: boom"


@pytest.mark.django_db
def test_the_money_timers_run_before_the_listing_inspection():
    names = list(registry.registered_sweeps())
    assert names[-1] == "inspect_listings"
    assert names.index("close_unpaid") < names.index("inspect_listings")


@pytest.mark.django_db
def test_the_beat_heartbeat_task_records_that_beat_is_alive():
    from distribution.core.tasks import heartbeat

    heartbeat()
    first = Heartbeat.objects.get(name="beat").beat_at
    heartbeat()
    assert Heartbeat.objects.get(name="beat").beat_at >= first
    assert Heartbeat.objects.count() == 1


# --- webhooks coalesced -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_thousand_pos_closing_on_one_sku_emit_one_product_updated(run_outbox, settings):
    from distribution.api.models import WebhookEvent
    from distribution.api.services import webhook_endpoint_create
    from distribution.core.models import OutboxMessage

    settings.SWEEP_TIMER_BATCH_SIZE = 250  # four batches, four transactions
    trade = make_trade(on_hand=2000)
    webhook_endpoint_create(
        actor=trade.reseller_user, organisation=trade.reseller.organisation, url="http://127.0.0.1:9/hook", events=["product.updated"]
    )
    pos = unpaid_copies(trade, 1000)
    run_outbox()
    WebhookEvent.objects.all().delete()

    result = registry.run_sweep("close_unpaid", now=pos[0].pay_by)

    assert result.count == 1000
    assert OutboxMessage.objects.filter(status="pending", topic="event:distribution.api.webhooks.on_sku_changed").count() == 1
    run_outbox(now=pos[0].pay_by + timedelta(seconds=10))
    [event] = WebhookEvent.objects.filter(type="product.updated")
    assert (event.data["sku_id"], event.data["available"]) == (trade.sku.pk, 2000)
    assert reload_sku(trade.sku).reserved == 0


# --- two sweepers at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@pytest.mark.parametrize("name", ["close_unpaid", "refund_unshipped"])
def test_two_sweepers_at_once_act_on_each_po_exactly_once(name, settings):
    settings.SWEEP_TIMER_BATCH_SIZE = 5
    trade = make_trade(funds="5000.00", on_hand=100)
    pos = [place(trade) for _ in range(30)] if name == "close_unpaid" else paid(trade, 30)
    now = (pos[-1].pay_by if name == "close_unpaid" else pos[-1].ship_by) + SECOND
    balance_before = wallet_balance(trade.reseller.organisation)
    outcomes = race([lambda: registry.run_sweep(name, now=now)] * 2, timeout=120)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    results = [o.value for o in outcomes]

    assert sum(r.count for r in results) == 30
    assert sum(r.failed_count for r in results) == 0
    assert (
        PurchaseOrderTransition.objects.filter(purchase_order__in=pos, from_status__in=[S.AWAITING_PAYMENT, S.PAID])
        .exclude(to_status=S.PAID)
        .count()
        == 30
    )
    assert reload_sku(trade.sku).reserved == 0
    if name == "refund_unshipped":
        assert wallet_balance(trade.reseller.organisation) == balance_before + sum(po.total_amount for po in pos)
        assert JournalTransaction.objects.filter(kind="po_refund").count() == 30
    assert reconcile().ok


# --- one sweep on two threads (SWEEP_TIMER_WORKERS) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "build", "deadline"),
    [("close_unpaid", None, "pay_by"), ("refund_unshipped", paid, "ship_by"), ("auto_confirm", shipped, "confirm_by")],
)
def test_one_sweep_on_two_threads_acts_on_each_po_once_and_loses_none(name, build, deadline, settings, monkeypatch):
    import threading

    from procurement.services import timers

    settings.SWEEP_TIMER_BATCH_SIZE = 3
    settings.SWEEP_TIMER_WORKERS = 2
    trade = make_trade(funds="5000.00", on_hand=100)
    second = make_trade(supplier=trade.supplier, funds="5000.00", on_hand=100)  # two resellers' wallets in every batch
    pos = [place(t) for t in (trade, second) for _ in range(12)] if build is None else [*build(trade, 12), *build(second, 12)]
    now = max(getattr(po, deadline) for po in pos) + SECOND
    wallets_before = [wallet_balance(t.reseller.organisation) for t in (trade, second)]
    supplier_before = wallet_balance(trade.supplier.organisation)
    act = getattr(timers, f"purchase_orders_{name}_due")
    both_hold_a_batch = threading.Barrier(2, timeout=30)
    seen: list[tuple[str, tuple[int, ...]]] = []

    def spy(**kwargs):
        if not any(thread == threading.current_thread().name for thread, _ in seen):
            both_hold_a_batch.wait()  # each thread's first batch: both are claimed and open at once
        seen.append((threading.current_thread().name, tuple(kwargs["purchase_order_ids"])))
        return act(**kwargs)

    monkeypatch.setattr(timers, act.__name__, spy)
    result = registry.run_sweep(name, now=now)

    assert (result.count, result.failed_count) == (24, 0)
    assert len({thread for thread, _ in seen}) == 2
    claimed = [pk for _, ids in seen for pk in ids]
    assert sorted(claimed) == sorted(po.pk for po in pos)  # every PO claimed once, by one batch
    target = {"close_unpaid": S.CLOSED, "refund_unshipped": S.REFUNDED, "auto_confirm": S.COMPLETED}[name]
    assert PurchaseOrderTransition.objects.filter(purchase_order__in=pos, to_status=target).count() == 24  # none acted on twice
    assert all(reload(po).status == target for po in pos)
    if name == "refund_unshipped":
        for t, before in zip((trade, second), wallets_before, strict=True):
            assert wallet_balance(t.reseller.organisation) == before + sum(po.total_amount for po in pos if po.reseller_id == t.reseller.pk)
        assert JournalTransaction.objects.filter(kind="po_refund").count() == 24
    if name == "auto_confirm":
        assert JournalTransaction.objects.filter(kind="po_release").count() == 24
        assert wallet_balance(trade.supplier.organisation) > supplier_before
    if name != "auto_confirm":
        assert reload_sku(trade.sku).reserved == 0 and reload_sku(second.sku).reserved == 0
    assert registry.run_sweep(name, now=now + SECOND).count == 0
    assert reconcile().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_on_two_threads_a_failing_po_falls_back_alone_and_its_batch_neighbours_still_close(failing_po, settings):
    settings.SWEEP_TIMER_BATCH_SIZE = 4
    settings.SWEEP_TIMER_WORKERS = 2
    trade = make_trade(on_hand=100)
    pos = [place(trade) for _ in range(20)]
    failing_po["arm"](pos[9].pk)
    now = max(po.pay_by for po in pos) + SECOND

    result = registry.run_sweep("close_unpaid", now=now)

    assert (result.count, result.failed_count) == (19, 1)
    assert reload(pos[9]).status == S.AWAITING_PAYMENT
    assert all(reload(po).status == S.CLOSED for po in pos if po.pk != pos[9].pk)
    assert SweepFailure.objects.get(sweep="close_unpaid").object_id == pos[9].pk
    assert reload_sku(trade.sku).reserved == 1
    assert reconcile().ok
