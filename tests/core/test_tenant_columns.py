"""Every hot table carries its tenant (the distribution column of docs/scaling.md), whoever inserts the row.

The services set it themselves; any other insert (the ORM without it, ``bulk_create``, raw SQL as the
sweeps and benchmark loaders write) gets it from the parent row through the database's trigger.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.services import notify_organisation
from distribution.api.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from procurement import services
from procurement.models import PurchaseOrderLine, PurchaseOrderTransition
from settlement.models import EscrowHold, JournalEntry, JournalTransaction
from settlement.selectors import statement_entries
from suppliers.models import Message, MessageAttachment, StockAdjustment
from suppliers.services.catalog import sku_adjust_stock
from suppliers.services.messaging import thread_start
from tests.accounts.factories import UserFactory
from tests.procurement.factories import make_trade, place
from tests.suppliers.factories import SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _scalar(sql: str, params: list) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_one_po_life_leaves_every_row_with_its_tenant(django_capture_on_commit_callbacks):
    # given
    trade = make_trade(funds="500.00")
    supplier_id, reseller_id = trade.supplier.pk, trade.reseller.pk
    # when: placed, paid, shipped, received
    with django_capture_on_commit_callbacks(execute=True):
        po = place(trade, quantity=2)
        services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="SF1")
        services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    # then: lines and transitions belong to the PO's supplier
    assert list(PurchaseOrderLine.objects.filter(purchase_order=po).values_list("supplier_id", flat=True)) == [supplier_id]
    transitions = PurchaseOrderTransition.objects.filter(purchase_order=po)
    assert transitions.count() == 4
    assert set(transitions.values_list("supplier_id", flat=True)) == {supplier_id}
    # escrow movements (payment, release) belong to the supplier, like the PO and its hold
    txns = JournalTransaction.objects.filter(reference=po.number)
    assert sorted(txns.values_list("kind", flat=True)) == ["po_payment", "po_release"]
    assert set(txns.values_list("organisation_id", flat=True)) == {supplier_id}
    assert EscrowHold.objects.get(reference=po.number).payee_id == supplier_id
    # a wallet's entry belongs to the wallet's organisation, a platform account's to its transaction's
    for entry in JournalEntry.objects.filter(transaction__reference=po.number).select_related("account", "transaction"):
        expected = entry.account.organisation_id if entry.account.is_wallet else entry.transaction.organisation_id
        assert entry.organisation_id == expected
    wallet_entries = JournalEntry.objects.filter(transaction__reference=po.number, account__kind="wallet")
    assert sorted(wallet_entries.values_list("organisation_id", flat=True)) == sorted([reseller_id, supplier_id])
    # notifications belong to the notified user's organisation
    supplier_notes = Notification.objects.filter(user=trade.supplier_user)
    reseller_notes = Notification.objects.filter(user=trade.reseller_user)
    assert supplier_notes.exists() and reseller_notes.exists()
    assert set(supplier_notes.values_list("organisation_id", flat=True)) == {supplier_id}
    assert set(reseller_notes.values_list("organisation_id", flat=True)) == {reseller_id}
    # the statement (which now filters by the tenant column) still lists the reseller's top-up and payment
    assert [e.transaction.kind for e in statement_entries(trade.reseller.organisation)] == ["po_payment", "top_up"]


def test_a_timer_batch_writes_its_rows_with_their_tenant(django_capture_on_commit_callbacks):
    from procurement.services.timers import purchase_orders_close_unpaid_due

    trade = make_trade()
    po = place(trade)
    with django_capture_on_commit_callbacks(execute=True):
        closed = purchase_orders_close_unpaid_due(purchase_order_ids=[po.pk], now=po.pay_by + timezone.timedelta(seconds=1))
    assert closed == [po.number]
    closing = PurchaseOrderTransition.objects.get(purchase_order=po, to_status="closed")
    assert closing.supplier_id == trade.supplier.pk
    notes = Notification.objects.filter(kind="purchase_order.closed")
    assert {(n.user_id, n.organisation_id) for n in notes} == {
        (trade.reseller_user.pk, trade.reseller.pk),
        (trade.supplier_user.pk, trade.supplier.pk),
    }


def test_the_orm_leaving_the_tenant_out_gets_it_from_the_parent_and_reads_it_back():
    trade = make_trade()
    po = place(trade)
    # when: another engineer's code saves a row without the new column
    transition = PurchaseOrderTransition(purchase_order=po, actor_label="someone", to_status="paid", created_at=timezone.now())
    transition.save()
    adjustment = StockAdjustment.objects.create(sku=trade.sku, delta=1, on_hand_after=101, reason="count")
    # then: the database filled it, and the instance has it without another query
    assert transition.supplier_id == trade.supplier.pk
    assert adjustment.supplier_id == trade.supplier.pk
    assert PurchaseOrderTransition.objects.get(pk=transition.pk).supplier_id == trade.supplier.pk


def test_bulk_create_leaving_the_tenant_out_gets_it_for_every_row():
    first, second = make_trade(), make_trade()
    po_a, po_b = place(first), place(second)
    sku_a2 = SKUFactory(product__supplier=first.supplier, on_hand=5)
    rows = PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(
                purchase_order=po, sku=sku, code=sku.code, title="x", quantity=1, unit_price=D("1"), retail_price=D("2"), line_amount=D("1")
            )
            for po, sku in [(po_a, sku_a2), (po_b, SKUFactory(product__supplier=second.supplier))]
        ]
    )  # fmt: skip
    assert [r.supplier_id for r in rows] == [first.supplier.pk, second.supplier.pk]
    notes = Notification.objects.bulk_create(
        [Notification(user=first.reseller_user, kind="k", title="t"), Notification(user=second.supplier_user, kind="k", title="t")]
    )
    assert [n.organisation_id for n in notes] == [first.reseller.pk, second.supplier.pk]


def test_raw_sql_leaving_the_tenant_out_gets_it_from_the_parent():
    trade = make_trade(funds="100.00")
    po = place(trade)
    endpoint = WebhookEndpoint.objects.create(
        organisation=trade.reseller.organisation, url="https://example.com/h", events=["x"], secret="s"
    )
    event = WebhookEvent.objects.create(id="7d1c2c5e-1111-4222-8333-444455556666", organisation=trade.reseller.organisation, type="x",
                                        created_at=timezone.now())  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procurement_purchaseordertransition (purchase_order_id, actor_label, from_status, to_status, reason, created_at) "
            "VALUES (%s, 'sweep', '', 'closed', '', now()) RETURNING supplier_id",
            [po.pk],
        )
        assert cursor.fetchone()[0] == trade.supplier.pk
        cursor.execute(
            "INSERT INTO api_webhookdelivery (event_id, endpoint_id, status, attempts, last_response_excerpt, retry_until, created_at) "
            "VALUES (%s, %s, 'pending', 0, '', now(), now()) RETURNING organisation_id",
            [event.pk, endpoint.pk],
        )
        assert cursor.fetchone()[0] == trade.reseller.pk
        cursor.execute(
            "INSERT INTO accounts_notification (user_id, kind, text_kind, title, body, url, created_at) "
            "VALUES (%s, 'k', '', 't', '', '', now()) RETURNING organisation_id",
            [trade.supplier_user.pk],
        )
        assert cursor.fetchone()[0] == trade.supplier.pk
    # a journal entry of a platform account takes its transaction's organisation, a wallet's its own
    wallet_entry = JournalEntry.objects.filter(account__kind="wallet", account__organisation=trade.reseller.organisation).first()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO settlement_journaltransaction (kind, reference, memo, idempotency_key, created_at, organisation_id) "
            "VALUES ('adjustment', 'raw', '', 'raw-tenant', now(), %s) RETURNING id",
            [trade.supplier.pk],
        )
        txn_id = cursor.fetchone()[0]
        escrow_id = JournalEntry.objects.exclude(account__kind="wallet").values_list("account_id", flat=True).first() or _escrow_id()
        cursor.execute(
            "INSERT INTO settlement_journalentry (transaction_id, account_id, amount) VALUES (%s, %s, 1), (%s, %s, -1) "
            "RETURNING account_id, organisation_id",
            [txn_id, wallet_entry.account_id, txn_id, escrow_id],
        )
        assert dict(cursor.fetchall()) == {wallet_entry.account_id: trade.reseller.pk, escrow_id: trade.supplier.pk}
        transaction.set_rollback(True)  # the posting does not balance the wallet's cached balance; keep the ledger clean


def _escrow_id() -> int:
    from settlement.ledger import platform_account

    return platform_account("escrow").pk


def test_messages_stock_adjustments_and_deliveries_carry_their_tenant(run_outbox):
    trade = make_trade()
    thread = thread_start(
        actor=trade.reseller_user, organisation=trade.reseller.organisation, supplier=trade.supplier, reseller=trade.reseller,
        subject="交期", body="請問何時出貨？", check_contact=False, email_copy=False,
    )  # fmt: skip
    assert list(Message.objects.filter(thread=thread).values_list("supplier_id", flat=True)) == [trade.supplier.pk]
    message = Message.objects.get(thread=thread)
    attachment = MessageAttachment.objects.create(
        message=message, file="messages/x.pdf", original_name="x.pdf", content_type="application/pdf", size=1
    )
    assert attachment.supplier_id == trade.supplier.pk
    adjustment = sku_adjust_stock(actor=trade.supplier_user, sku=trade.sku, reason="盤點", delta=3)
    assert StockAdjustment.objects.get(pk=adjustment.pk).supplier_id == trade.supplier.pk
    WebhookEndpoint.objects.create(
        organisation=trade.supplier.organisation, url="https://example.com/hook", events=["product.updated"], secret="s"
    )
    from distribution.api.webhooks import emit_event

    emit_event(organisation=trade.supplier.organisation, type="product.updated", data={"sku": trade.sku.code})
    assert set(WebhookDelivery.objects.values_list("organisation_id", flat=True)) == {trade.supplier.pk}


def test_a_notification_for_a_user_of_no_organisation_is_refused_not_stored_without_tenant():
    loner = UserFactory()
    with pytest.raises(IntegrityError, match="organisation_id"), transaction.atomic():
        Notification.objects.create(user=loner, kind="k", title="t")
    trade = make_trade()
    # notify_organisation gives the organisation itself (no lookup by the trigger)
    notes = notify_organisation(organisation=trade.supplier.organisation, kind="k", title="t")
    assert [n.organisation_id for n in notes] == [trade.supplier.pk]
