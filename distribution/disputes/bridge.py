"""The only place this app calls procurement's and settlement's services.

The disputes app notifies both sides itself (with a link to the dispute), so it asks
procurement's dispute services not to notify as well.

Kept in one module so the contract with those apps is visible at a glance.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal


def po_open_dispute(*, actor, purchase_order, now: datetime):
    from procurement.services import purchase_order_dispute_open

    return purchase_order_dispute_open(actor=actor, purchase_order=purchase_order, now=now, notify=False)


def po_withdraw_dispute(*, actor, purchase_order, now: datetime):
    from procurement.services import purchase_order_dispute_withdraw

    return purchase_order_dispute_withdraw(actor=actor, purchase_order=purchase_order, now=now, notify=False)


def po_settle_dispute(*, actor, purchase_order, refund_amount: Decimal, release_amount: Decimal, reason: str, now: datetime):
    from procurement.services import purchase_order_dispute_settle

    return purchase_order_dispute_settle(
        actor=actor,
        purchase_order=purchase_order,
        refund_amount=refund_amount,
        release_amount=release_amount,
        reason=reason,
        now=now,
        notify=False,
    )


def po_complete(*, actor, purchase_order, now: datetime):
    """Complete a shipped PO whose auto-confirm time has run out (a withdrawn dispute past due)."""
    from procurement.services import purchase_order_confirm_receipt

    return purchase_order_confirm_receipt(actor=actor, purchase_order=purchase_order, now=now)


def escrow_held_amount(purchase_order) -> Decimal:
    from settlement.services import escrow_held

    return escrow_held(purchase_order.number)


def reward_pay(*, supplier, reseller, amount: Decimal, note: str, actor, idempotency_key: str):
    from settlement.services import reward_pay as pay

    txn = pay(supplier=supplier, reseller=reseller, amount=amount, note=note, actor=actor, idempotency_key=idempotency_key)
    return txn.reward
