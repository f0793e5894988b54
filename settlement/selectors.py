"""Reads shared by the settlement pages (always filtered by the asking organisation)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from distribution.core.money import ZERO

from .models import Account, EscrowHold, JournalEntry, JournalTransaction, Reward, TopUpRequest, WithdrawalRequest


@dataclass(frozen=True)
class WalletSummary:
    balance: Decimal  # available: what can be spent or withdrawn now
    escrow_paid: Decimal  # reseller: paid into escrow for open purchase orders
    escrow_incoming: Decimal  # supplier: held in escrow for its purchase orders, released on completion
    withdrawals_pending: Decimal  # supplier: requested payouts, no longer available
    top_ups_pending: Decimal  # reseller: recorded transfers awaiting confirmation

    @property
    def held(self) -> Decimal:
        return self.escrow_paid + self.withdrawals_pending


def _outstanding_sum(queryset: QuerySet) -> Decimal:
    total = queryset.aggregate(t=Sum(F("held_amount") - F("refunded_amount") - F("released_amount")))["t"]
    return total or ZERO


def wallet_summary(organisation) -> WalletSummary:
    """Balances for the wallet page (five small aggregate queries)."""
    balance = Account.objects.filter(kind=Account.Kind.WALLET, organisation=organisation).values_list("balance_amount", flat=True).first()
    return WalletSummary(
        balance=balance if balance is not None else ZERO,
        escrow_paid=_outstanding_sum(EscrowHold.objects.filter(payer=organisation)),
        escrow_incoming=_outstanding_sum(EscrowHold.objects.filter(payee=organisation)),
        withdrawals_pending=WithdrawalRequest.objects.filter(organisation=organisation, status=WithdrawalRequest.Status.PENDING).aggregate(
            t=Sum("amount")
        )["t"]
        or ZERO,
        top_ups_pending=TopUpRequest.objects.filter(organisation=organisation, status=TopUpRequest.Status.PENDING).aggregate(
            t=Sum("amount")
        )["t"]
        or ZERO,
    )


# Statement lines of a purchase order show its goods and shipping. The app that owns the references
# (procurement) registers the annotations that read them (``register_statement_amounts``): settlement
# does not import it. ``func(organisation_id)`` returns ``statement_goods`` and ``statement_shipping``
# expressions over a JournalEntry row (``OuterRef("transaction__reference")``), None where the
# reference is not a purchase order.
_statement_amounts: list[Callable[[int], dict[str, Any]]] = []

#: the kinds whose line shows the goods and shipping of its purchase order
SPLIT_KINDS = frozenset({JournalTransaction.Kind.PO_PAYMENT, JournalTransaction.Kind.PO_RELEASE})


def register_statement_amounts(func: Callable[[int], dict[str, Any]]) -> None:
    _statement_amounts[:] = [func]


def statement_entries(
    organisation, *, date_from: date | None = None, date_to: date | None = None, kind: str | None = None, newest_first: bool = True
) -> QuerySet[JournalEntry]:
    """The organisation's wallet entries with their transactions (and reward details), filtered."""
    # the entry's own tenant column first (its index, and on Citus the shard), then its wallet
    queryset = JournalEntry.objects.filter(
        organisation=organisation, account__kind=Account.Kind.WALLET, account__organisation=organisation
    ).select_related(
        "transaction", "transaction__reward__supplier", "transaction__reward__reseller"
    )
    tz = timezone.get_current_timezone()
    if date_from:
        queryset = queryset.filter(transaction__created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        queryset = queryset.filter(transaction__created_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    if kind:
        queryset = queryset.filter(transaction__kind=kind)
    # a supplier's escrow releases show what was held (goods + shipping), the platform's commission and the net
    holds = EscrowHold.objects.filter(reference=OuterRef("transaction__reference"), payee=organisation, released_amount__gt=0)
    queryset = queryset.annotate(
        escrow_gross=Subquery(holds.values("released_amount")[:1]), escrow_commission=Subquery(holds.values("commission_amount")[:1])
    )
    for func in _statement_amounts:
        queryset = queryset.annotate(**func(organisation.pk))
    return queryset.order_by("-id" if newest_first else "id")


def top_ups_for(organisation) -> QuerySet[TopUpRequest]:
    return TopUpRequest.objects.filter(organisation=organisation).order_by("-requested_at", "-id")


def withdrawals_for(organisation) -> QuerySet[WithdrawalRequest]:
    return WithdrawalRequest.objects.filter(organisation=organisation).order_by("-requested_at", "-id")


def rewards_paid_by(organisation) -> QuerySet[Reward]:
    return Reward.objects.filter(supplier=organisation).select_related("reseller").order_by("-created_at", "-id")
