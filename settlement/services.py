"""Every write of the settlement app: wallets, escrow, rewards, top-ups, withdrawals.

Other apps call only these functions (procurement: ``escrow_hold`` / ``escrow_refund`` /
``escrow_release``; disputes: ``escrow_split``; rewards: ``reward_pay``). Each is one
database transaction (a savepoint when the caller already holds one), idempotent by
its natural key, and never leaves partial entries behind. Callers need not hold locks.

Amounts are ``Decimal`` with two places. Escrow state per purchase order lives in an
``EscrowHold`` row keyed by the PO reference, locked only by that PO's operations.
The escrow functions take ``savepoint=False`` from a caller whose own block rolls back on
any error (the purchase-order services): it saves the SAVEPOINT/RELEASE pair per payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.permissions import require_manager
from accounts.services import notify_organisation
from distribution.core import texts
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.money import ZERO, format_money, money

from . import ledger
from . import text_kinds as _text_kinds  # noqa: F401 (registers the kinds these services write)
from .exceptions import EscrowConflict, EscrowNotFound, EscrowShort, SplitMismatch
from .models import Account, EscrowHold, JournalTransaction, Reward, SupplierReceivable, TopUpRequest, Wallet, WithdrawalRequest
from .providers import get_provider

Kind = JournalTransaction.Kind


# --- helpers -------------------------------------------------------------------------


def _organisation_id(party: Any) -> int:
    """Accept an Organisation or a profile whose primary key is its organisation (Supplier, Reseller)."""
    if isinstance(party, Organisation):
        return party.pk
    organisation_id = getattr(party, "organisation_id", None)
    if organisation_id is None:
        raise TypeError(f"expected an organisation, supplier or reseller, got {party!r}")
    return organisation_id


def _positive(amount: Decimal, *, field: str = "amount") -> Decimal:
    if isinstance(amount, float):
        raise TypeError("amounts must be Decimal, not float")
    value = Decimal(amount)
    if value != money(value):
        raise ValidationFailed(_("Amounts have at most two decimal places."), field=field)
    if value <= 0:
        raise ValidationFailed(_("The amount must be greater than zero."), field=field)
    return value


def _non_negative(amount: Decimal, *, field: str) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("amounts must be Decimal, not float")
    value = Decimal(amount)
    if value != money(value) or value < 0:
        raise ValidationFailed(_("Enter an amount of zero or more with at most two decimal places."), field=field)
    return value


def _wallet_for_id(organisation_id: int) -> Wallet:
    wallet, _created = Wallet.objects.get_or_create(kind=Account.Kind.WALLET, organisation_id=organisation_id)
    return wallet


def _commission(amount: Decimal, rate: Decimal) -> Decimal:
    if isinstance(rate, float):
        raise TypeError("commission rates must be Decimal, not float")
    return money(amount * Decimal(rate))


# --- wallets ------------------------------------------------------------------------


def wallet_for(organisation) -> Wallet:
    """The organisation's wallet, created on first use (safe under concurrency)."""
    return _wallet_for_id(_organisation_id(organisation))


def wallet_balance(organisation) -> Decimal:
    """The wallet's available balance (pending withdrawals and escrow are not part of it)."""
    value = Wallet.objects.filter(organisation_id=_organisation_id(organisation)).values_list("balance_amount", flat=True).first()
    return value if value is not None else ZERO


def wallet_adjust(*, actor, organisation, amount: Decimal, memo: str, idempotency_key: str) -> JournalTransaction:
    """Staff correction or opening balance: external clearing ↔ wallet (``amount`` signed).

    Refused below zero (``InsufficientBalance``). Idempotent per ``idempotency_key``.
    """
    value = Decimal(amount)
    if value == 0 or value != money(value):
        raise ValidationFailed(_("Enter a non-zero amount with at most two decimal places."), field="amount")
    if actor is not None and not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff may adjust a wallet."))
    organisation_id = _organisation_id(organisation)
    with transaction.atomic():
        wallet = _wallet_for_id(organisation_id)
        posting = ledger.post(
            kind=Kind.ADJUSTMENT,
            lines=[(ledger.platform_account(Account.Kind.CLEARING), -value), (wallet, value)],
            idempotency_key=f"adjust:{idempotency_key}",
            memo=memo,
            actor=actor,
        )
        if posting.created:
            audit(
                actor=actor,
                action="settlement.wallet_adjust",
                obj=posting.transaction,
                organisation=wallet.organisation,
                summary=f"{format_money(value)} {memo}",
            )
    return posting.transaction


# --- escrow -------------------------------------------------------------------------


def escrow_held(reference: str) -> Decimal:
    """The amount still held in escrow for ``reference`` (zero when nothing was ever held)."""
    hold = EscrowHold.objects.filter(reference=reference).only("held_amount", "refunded_amount", "released_amount").first()
    return hold.outstanding_amount if hold is not None else ZERO


def _locked_hold(reference: str, *, with_owed: bool = False) -> EscrowHold:
    """The hold, locked; ``with_owed`` also reads (unlocked, same query) what its payee owes as ``hold.owed``."""
    qs = EscrowHold.objects.select_for_update(of=("self",)).filter(reference=reference)
    if with_owed:
        qs = qs.annotate(
            owed=Subquery(SupplierReceivable.objects.filter(organisation_id=OuterRef("payee_id")).values("outstanding_amount")[:1])
        )
    hold = qs.first()
    if hold is None:
        raise EscrowNotFound()
    return hold


def _last_transaction(hold: EscrowHold) -> JournalTransaction:
    return JournalTransaction.objects.get(pk=hold.last_transaction_id)


def _check_same_hold(hold: EscrowHold, *, payer_id: int, payee_id: int, amount: Decimal) -> EscrowHold:
    if hold.payer_id != payer_id or hold.payee_id != payee_id or hold.held_amount != amount:
        raise EscrowConflict()
    return hold


def _organisation_or_id(party: Any) -> Organisation | int:
    """The Organisation instance when the caller has one (audit rows need no lookup), else its id."""
    if isinstance(party, Organisation):
        return party
    organisation = getattr(party, "organisation", None) if hasattr(party, "organisation_id") else None
    return organisation if isinstance(organisation, Organisation) else _organisation_id(party)


def escrow_hold(*, reference: str, reseller, supplier, amount: Decimal, actor, savepoint: bool = True) -> EscrowHold:
    """Move ``amount`` from the reseller's wallet into escrow for ``reference`` (a PO number).

    Raises ``InsufficientBalance`` (the enclosing block rolls back: nothing is written).
    Idempotent per reference: the posting's key is the reference's, so a second call (also
    racing the first) moves no money and returns the existing hold.
    """
    amount = _positive(amount)
    payer_id, payee_id = _organisation_id(reseller), _organisation_id(supplier)
    with transaction.atomic(savepoint=savepoint):
        posting = ledger.post(
            kind=Kind.PO_PAYMENT,
            lines=[(ledger.WalletOf(payer_id), -amount), (ledger.platform_account(Account.Kind.ESCROW), amount)],
            idempotency_key=f"escrow:{reference}:hold",
            organisation_id=payee_id,  # escrow movements belong to the PO's supplier (co-located with the PO)
            savepoint=False,  # this function's block is the savepoint (if any)
            reference=reference,
            actor=actor,
        )
        if not posting.created:
            existing = EscrowHold.objects.filter(reference=reference).first()
            if existing is None:
                raise EscrowConflict()
            return _check_same_hold(existing, payer_id=payer_id, payee_id=payee_id, amount=amount)
        hold = EscrowHold(
            reference=reference,
            payer_id=payer_id,
            payee_id=payee_id,
            held_amount=amount,
            operations=1,
            last_transaction=posting.transaction,
        )
        hold.save(force_insert=True)
        audit(
            actor=actor,
            action="settlement.escrow_hold",
            obj=hold,
            organisation=_organisation_or_id(reseller),
            summary=f"{reference} {format_money(amount)}",
        )
    return hold


def escrow_refund(*, reference: str, actor, amount: Decimal | None = None, memo: str = "", savepoint: bool = True) -> JournalTransaction:
    """Escrow → reseller wallet. ``amount=None`` refunds everything still held.

    Idempotent: with nothing left to refund it returns the hold's latest transaction and
    moves no money. An explicit ``amount`` above what is held raises ``EscrowShort``.
    """
    with transaction.atomic(savepoint=savepoint):
        hold = _locked_hold(reference)
        outstanding = hold.outstanding_amount
        if amount is None:
            amount = outstanding
        else:
            amount = _non_negative(amount, field="amount")
            if amount > outstanding:
                raise EscrowShort()
        if amount == 0:
            return _last_transaction(hold)
        hold.operations += 1
        posting = ledger.post(
            kind=Kind.PO_REFUND,
            lines=[(ledger.platform_account(Account.Kind.ESCROW), -amount), (ledger.WalletOf(hold.payer_id), amount)],
            idempotency_key=f"escrow:{reference}:{hold.operations}:refund",
            organisation_id=hold.payee_id,
            savepoint=False,  # this function's block is the savepoint (if any)
            reference=reference,
            memo=memo,
            actor=actor,
        )
        hold.refunded_amount += amount
        hold.last_transaction = posting.transaction
        hold.save(update_fields=["refunded_amount", "operations", "last_transaction", "updated_at"])
        audit(
            actor=actor,
            action="settlement.escrow_refund",
            obj=hold,
            organisation=hold.payer_id,
            summary=f"{reference} {format_money(amount)}",
        )
    return posting.transaction


def escrow_release(*, reference: str, commission_rate: Decimal, actor, memo: str = "", savepoint: bool = True) -> JournalTransaction:
    """Everything still held → supplier wallet, less ``commission_rate`` (the supplier's, given by
    the caller) → commission revenue.

    Commission is rounded half-up to the fen. Idempotent: with nothing left it returns the
    hold's latest transaction and moves no money.
    """
    with transaction.atomic(savepoint=savepoint):
        hold = _locked_hold(reference, with_owed=True)
        amount = hold.outstanding_amount
        if amount == 0:
            return _last_transaction(hold)
        commission = _commission(amount, commission_rate)
        # Only a payee that owes refunds has its receivable locked (before the wallet, the order
        # refund_from_supplier locks them in); one that starts owing meanwhile pays from the next release.
        receivable = _locked_receivable(hold.payee_id) if hold.owed else None
        take = min(receivable.outstanding_amount, amount - commission) if receivable is not None else ZERO
        hold.operations += 1
        lines = [
            (ledger.platform_account(Account.Kind.ESCROW), -amount),
            (ledger.WalletOf(hold.payee_id), amount - commission - take),
            (ledger.platform_account(Account.Kind.COMMISSION), commission),
        ]
        if take:
            lines.append((ledger.platform_account(Account.Kind.RECEIVABLES), take))
        posting = ledger.post(
            kind=Kind.PO_RELEASE,
            lines=lines,
            idempotency_key=f"escrow:{reference}:{hold.operations}:release",
            organisation_id=hold.payee_id,
            savepoint=False,  # this function's block is the savepoint (if any)
            reference=reference,
            memo=memo,
            actor=actor,
        )
        hold.released_amount += amount
        hold.commission_amount += commission
        hold.last_transaction = posting.transaction
        hold.save(update_fields=["released_amount", "commission_amount", "operations", "last_transaction", "updated_at"])
        if take:
            _collect(receivable, take)
        audit(
            actor=actor,
            action="settlement.escrow_release",
            obj=hold,
            organisation=hold.payee_id,
            summary=f"{reference} {format_money(amount)} (commission {format_money(commission)})",
        )
    return posting.transaction


# --- refunds owed by suppliers (after-sales) ------------------------------------------


def _locked_receivable(organisation_id: int) -> SupplierReceivable | None:
    """The supplier's receivable row, locked, when something is outstanding."""
    return SupplierReceivable.objects.select_for_update().filter(organisation_id=organisation_id, outstanding_amount__gt=0).first()


def _collect(receivable: SupplierReceivable, take: Decimal) -> None:
    receivable.outstanding_amount -= take
    receivable.collected_total_amount += take
    receivable.save(update_fields=["outstanding_amount", "collected_total_amount", "updated_at"])


def supplier_receivable(organisation) -> Decimal:
    """What the supplier still owes for after-sales refunds (taken from its next escrow releases)."""
    value = (
        SupplierReceivable.objects.filter(organisation_id=_organisation_id(organisation))
        .values_list("outstanding_amount", flat=True)
        .first()
    )
    return value if value is not None else ZERO


@dataclass(frozen=True)
class SupplierRefund:
    transaction: JournalTransaction
    from_wallet_amount: Decimal
    owed_amount: Decimal  # added to the supplier's receivable


def refund_from_supplier(
    *,
    reference: str,
    key: str,
    supplier,
    reseller,
    amount: Decimal,
    actor,
    memo: str | texts.Text = "",
    kind: str = Kind.AFTER_SALES_REFUND,
) -> SupplierRefund:
    """Money the supplier already received goes back to the reseller: supplier wallet → reseller
    wallet, ``amount`` in full (an after-sales refund; a dispute decided after escrow was released).

    What the supplier's wallet cannot cover is fronted by the platform (receivables account) and
    recorded as the supplier's receivable, taken from its next escrow releases; the wallet never goes
    negative. One journal transaction, idempotent per ``key``: a second call moves no money and
    returns the first posting.
    """
    amount = _positive(amount)
    supplier_id, reseller_id = _organisation_id(supplier), _organisation_id(reseller)
    with transaction.atomic():
        existing = JournalTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            owed = -sum((e.amount for e in existing.entries.filter(account__kind=Account.Kind.RECEIVABLES)), ZERO)
            return SupplierRefund(existing, amount - owed, owed)
        SupplierReceivable.objects.get_or_create(organisation_id=supplier_id)
        receivable = SupplierReceivable.objects.select_for_update().get(organisation_id=supplier_id)
        wallet = Wallet.objects.select_for_update().filter(organisation_id=supplier_id).first()
        balance = wallet.balance_amount if wallet is not None else ZERO
        from_wallet = min(balance, amount)
        owed = amount - from_wallet
        lines: list = [(ledger.WalletOf(reseller_id), amount)]
        if from_wallet:
            lines.append((ledger.WalletOf(supplier_id), -from_wallet))
        if owed:
            lines.append((ledger.platform_account(Account.Kind.RECEIVABLES), -owed))
        posting = ledger.post(kind=kind, lines=lines, idempotency_key=key, reference=reference, memo=memo, actor=actor)
        if owed:
            receivable.outstanding_amount += owed
            receivable.owed_total_amount += owed
            receivable.save(update_fields=["outstanding_amount", "owed_total_amount", "updated_at"])
        audit(
            actor=actor,
            action="settlement.refund_from_supplier",
            obj=posting.transaction,
            organisation=supplier_id,
            summary=f"{reference} {format_money(amount)} (wallet {format_money(from_wallet)}, owed {format_money(owed)})",
        )
    return SupplierRefund(posting.transaction, from_wallet, owed)


def escrow_split(
    *, reference: str, refund_amount: Decimal, release_amount: Decimal, commission_rate: Decimal, actor, memo: str = ""
) -> JournalTransaction:
    """A dispute decision: part back to the reseller, part to the supplier (less ``commission_rate``,
    the supplier's, given by the caller, on that part).

    ``refund_amount + release_amount`` must equal the amount still held (else ``SplitMismatch``).
    One journal transaction. Idempotent: with nothing left it returns the hold's latest transaction.
    """
    refund_amount = _non_negative(refund_amount, field="refund_amount")
    release_amount = _non_negative(release_amount, field="release_amount")
    with transaction.atomic():
        hold = _locked_hold(reference)
        outstanding = hold.outstanding_amount
        if outstanding == 0:
            return _last_transaction(hold)
        if refund_amount + release_amount != outstanding:
            raise SplitMismatch(
                _("The refund (%(refund)s) and release (%(release)s) must add up to the %(held)s held in escrow.")
                % {"refund": format_money(refund_amount), "release": format_money(release_amount), "held": format_money(outstanding)}
            )
        commission = _commission(release_amount, commission_rate)
        hold.operations += 1
        posting = ledger.post(
            kind=Kind.DISPUTE_SETTLEMENT,
            lines=[
                (ledger.platform_account(Account.Kind.ESCROW), -outstanding),
                (_wallet_for_id(hold.payer_id), refund_amount),
                (_wallet_for_id(hold.payee_id), release_amount - commission),
                (ledger.platform_account(Account.Kind.COMMISSION), commission),
            ],
            idempotency_key=f"escrow:{reference}:{hold.operations}:split",
            organisation_id=hold.payee_id,
            reference=reference,
            memo=memo,
            actor=actor,
        )
        hold.refunded_amount += refund_amount
        hold.released_amount += release_amount
        hold.commission_amount += commission
        hold.last_transaction = posting.transaction
        hold.save(update_fields=["refunded_amount", "released_amount", "commission_amount", "operations", "last_transaction", "updated_at"])
        audit(
            actor=actor,
            action="settlement.escrow_split",
            obj=hold,
            organisation=hold.payee,
            summary=f"{reference} refund {format_money(refund_amount)} release {format_money(release_amount)}",
        )
    return posting.transaction


# --- rewards (R17) ----------------------------------------------------------------------


def reward_pay(*, supplier, reseller, amount: Decimal, note: str, actor, idempotency_key: str) -> JournalTransaction:
    """Supplier wallet → reseller wallet with a note, shown on both statements (R17).

    Only the supplier's owner/manager (or staff) may pay. Who may be rewarded (a partnered
    reseller) is the caller's rule: ``compliance.services.rebates.reward_give``. Idempotent per
    (supplier, ``idempotency_key``).
    """
    amount = _positive(amount)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say what the reward is for."), field="note")
    supplier_id, reseller_id = _organisation_id(supplier), _organisation_id(reseller)
    require_manager(actor, supplier_id, platform_may=True)
    key = f"reward:{supplier_id}:{idempotency_key}"
    with transaction.atomic():
        existing = JournalTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        posting = ledger.post(
            kind=Kind.REWARD,
            lines=[(_wallet_for_id(supplier_id), -amount), (_wallet_for_id(reseller_id), amount)],
            idempotency_key=key,
            memo=note[:300],
            actor=actor,
        )
        if posting.created:
            reward = Reward.objects.create(
                supplier_id=supplier_id,
                reseller_id=reseller_id,
                amount=amount,
                note=note[:300],
                journal_transaction=posting.transaction,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            audit(
                actor=actor,
                action="settlement.reward_pay",
                obj=reward,
                organisation=reward.supplier,
                summary=f"{format_money(amount)} {note}",
            )
            notify_organisation(
                organisation=Organisation.objects.get(pk=reseller_id),
                kind="settlement.reward",
                params={"amount": texts.Money(amount), "note": note},
                url=reverse("settlement:wallet"),
            )
    return posting.transaction


# --- top-ups ------------------------------------------------------------------------------


def top_up_request(
    *,
    actor,
    organisation,
    amount: Decimal,
    payer_name: str,
    bank_reference: str,
    receipt=None,
    provider: str = "offline_transfer",
    now=None,
) -> TopUpRequest:
    """A reseller records a transfer it made; staff confirm it later. Moves no money yet."""
    amount = _positive(amount)
    organisation_id = _organisation_id(organisation)
    org = Organisation.objects.get(pk=organisation_id)
    if org.kind != Organisation.Kind.RESELLER:
        raise PermissionDenied(_("Only resellers top up a wallet."))
    payment_provider = get_provider(provider)
    bank_reference = bank_reference.strip()
    with transaction.atomic():
        if TopUpRequest.objects.filter(organisation_id=organisation_id, bank_reference=bank_reference).exclude(status="rejected").exists():
            raise ValidationFailed(_("A top-up with this bank reference was already recorded."), field="bank_reference")
        try:
            with transaction.atomic():
                top_up = TopUpRequest.objects.create(
                    organisation_id=organisation_id,
                    provider=payment_provider.code,
                    amount=amount,
                    payer_name=payer_name.strip(),
                    bank_reference=bank_reference,
                    receipt=receipt or "",
                    requested_by=actor if getattr(actor, "pk", None) else None,
                    requested_at=now or timezone.now(),
                )
        except IntegrityError:
            raise ValidationFailed(_("A top-up with this bank reference was already recorded."), field="bank_reference")
        payment_provider.start(top_up=top_up)
        audit(
            actor=actor,
            action="settlement.top_up_request",
            obj=top_up,
            organisation=org,
            summary=f"{format_money(amount)} {bank_reference}",
        )
    return top_up


def top_up_confirm(*, actor, top_up: TopUpRequest, now=None) -> TopUpRequest:
    """Staff confirm the money arrived: external clearing → reseller wallet. Idempotent."""
    with transaction.atomic():
        top_up = TopUpRequest.objects.select_for_update().get(pk=top_up.pk)
        if top_up.status == TopUpRequest.Status.CONFIRMED:
            return top_up
        if top_up.status != TopUpRequest.Status.PENDING:
            raise InvalidState(_("This top-up was already rejected."))
        get_provider(top_up.provider).verify(top_up=top_up)
        posting = ledger.post(
            kind=Kind.TOP_UP,
            lines=[
                (ledger.platform_account(Account.Kind.CLEARING), -top_up.amount),
                (_wallet_for_id(top_up.organisation_id), top_up.amount),
            ],
            idempotency_key=f"top_up:{top_up.pk}",
            reference=top_up.bank_reference,
            memo=top_up.payer_name,
            actor=actor,
            now=now,
        )
        top_up.confirm()
        top_up.decided_by = actor if getattr(actor, "pk", None) else None
        top_up.decided_at = now or timezone.now()
        top_up.journal_transaction = posting.transaction
        top_up.save()
        audit(
            actor=actor,
            action="settlement.top_up_confirm",
            obj=top_up,
            organisation=top_up.organisation,
            summary=format_money(top_up.amount),
        )
        notify_organisation(
            organisation=top_up.organisation,
            kind="settlement.top_up_confirmed",
            params={"amount": texts.Money(top_up.amount)},
            url=reverse("settlement:wallet"),
        )
    return top_up


def top_up_reject(*, actor, top_up: TopUpRequest, reason: str, now=None) -> TopUpRequest:
    """Staff could not find the transfer. Moves no money. Idempotent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the rejection."), field="reason")
    with transaction.atomic():
        top_up = TopUpRequest.objects.select_for_update().get(pk=top_up.pk)
        if top_up.status == TopUpRequest.Status.REJECTED:
            return top_up
        if top_up.status != TopUpRequest.Status.PENDING:
            raise InvalidState(_("This top-up was already confirmed."))
        top_up.reject()
        top_up.rejection_reason = reason[:500]
        top_up.decided_by = actor if getattr(actor, "pk", None) else None
        top_up.decided_at = now or timezone.now()
        top_up.save()
        audit(actor=actor, action="settlement.top_up_reject", obj=top_up, organisation=top_up.organisation, summary=reason)
        notify_organisation(
            organisation=top_up.organisation,
            kind="settlement.top_up_rejected",
            params={"amount": texts.Money(top_up.amount), "reason": reason},
            url=reverse("settlement:top_up_list"),
        )
    return top_up


# --- withdrawals ------------------------------------------------------------------------------


def withdrawal_request(
    *,
    actor,
    organisation,
    amount: Decimal,
    account_name: str,
    bank_name: str,
    account_number: str,
    idempotency_key: str = "",
    now=None,
) -> WithdrawalRequest:
    """A supplier asks for a payout. The amount leaves the available balance at once (held until paid or rejected).

    Raises ``InsufficientBalance`` (nothing written). Only owners/managers (or staff).
    With an ``idempotency_key`` (e.g. the form's one-time token) a repeat returns the first request.
    """
    amount = _positive(amount)
    organisation_id = _organisation_id(organisation)
    org = Organisation.objects.get(pk=organisation_id)
    if org.kind != Organisation.Kind.SUPPLIER:
        raise PermissionDenied(_("Only suppliers withdraw from a wallet."))
    require_manager(actor, organisation_id, platform_may=True)
    account_number = "".join(account_number.split())
    if not account_number.isdigit() or not 8 <= len(account_number) <= 30:
        raise ValidationFailed(_("Enter the account number as 8 to 30 digits."), field="account_number")
    if not account_name.strip():
        raise ValidationFailed(_("Enter the account holder's name."), field="account_name")
    if not bank_name.strip():
        raise ValidationFailed(_("Enter the bank's name."), field="bank_name")
    idempotency_key = idempotency_key[:64]
    with transaction.atomic():
        if idempotency_key:
            existing = WithdrawalRequest.objects.filter(organisation_id=organisation_id, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                withdrawal = WithdrawalRequest.objects.create(
                    organisation_id=organisation_id,
                    amount=amount,
                    account_name=account_name.strip(),
                    bank_name=bank_name.strip(),
                    account_number=account_number,
                    idempotency_key=idempotency_key,
                    requested_by=actor if getattr(actor, "pk", None) else None,
                    requested_at=now or timezone.now(),
                )
        except IntegrityError:
            existing = WithdrawalRequest.objects.filter(organisation_id=organisation_id, idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return existing
        posting = ledger.post(
            kind=Kind.WITHDRAWAL_HOLD,
            lines=[(_wallet_for_id(organisation_id), -amount), (ledger.platform_account(Account.Kind.WITHDRAWALS), amount)],
            idempotency_key=f"withdrawal:{withdrawal.pk}:hold",
            reference=f"W{withdrawal.pk}",
            actor=actor,
            now=now,
        )
        withdrawal.hold_transaction = posting.transaction
        withdrawal.save(update_fields=["hold_transaction"])
        audit(actor=actor, action="settlement.withdrawal_request", obj=withdrawal, organisation=org, summary=format_money(amount))
    return withdrawal


def withdrawal_mark_paid(*, actor, withdrawal: WithdrawalRequest, payout_reference: str = "", now=None) -> WithdrawalRequest:
    """Staff paid the money out: withdrawals pending → external clearing. Idempotent."""
    with transaction.atomic():
        withdrawal = WithdrawalRequest.objects.select_for_update().get(pk=withdrawal.pk)
        if withdrawal.status == WithdrawalRequest.Status.PAID:
            return withdrawal
        if withdrawal.status != WithdrawalRequest.Status.PENDING:
            raise InvalidState(_("This withdrawal was already rejected."))
        posting = ledger.post(
            kind=Kind.WITHDRAWAL_PAID,
            lines=[
                (ledger.platform_account(Account.Kind.WITHDRAWALS), -withdrawal.amount),
                (ledger.platform_account(Account.Kind.CLEARING), withdrawal.amount),
            ],
            idempotency_key=f"withdrawal:{withdrawal.pk}:paid",
            organisation_id=withdrawal.organisation_id,
            reference=f"W{withdrawal.pk}",
            memo=payout_reference,
            actor=actor,
            now=now,
        )
        withdrawal.mark_paid()
        withdrawal.payout_reference = payout_reference[:64]
        withdrawal.decided_by = actor if getattr(actor, "pk", None) else None
        withdrawal.decided_at = now or timezone.now()
        withdrawal.settle_transaction = posting.transaction
        withdrawal.save()
        audit(
            actor=actor, action="settlement.withdrawal_paid", obj=withdrawal, organisation=withdrawal.organisation, summary=payout_reference
        )
        notify_organisation(
            organisation=withdrawal.organisation,
            kind="settlement.withdrawal_paid",
            params={"amount": texts.Money(withdrawal.amount), "bank": withdrawal.bank_name, "account": withdrawal.masked_account_number},
            url=reverse("settlement:withdrawal_list"),
            managers_only=True,
        )
    return withdrawal


def withdrawal_reject(*, actor, withdrawal: WithdrawalRequest, reason: str, now=None) -> WithdrawalRequest:
    """Staff refuse the payout: the held amount returns to the supplier's wallet. Idempotent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the rejection."), field="reason")
    with transaction.atomic():
        withdrawal = WithdrawalRequest.objects.select_for_update().get(pk=withdrawal.pk)
        if withdrawal.status == WithdrawalRequest.Status.REJECTED:
            return withdrawal
        if withdrawal.status != WithdrawalRequest.Status.PENDING:
            raise InvalidState(_("This withdrawal was already paid out."))
        posting = ledger.post(
            kind=Kind.WITHDRAWAL_RELEASED,
            lines=[
                (ledger.platform_account(Account.Kind.WITHDRAWALS), -withdrawal.amount),
                (_wallet_for_id(withdrawal.organisation_id), withdrawal.amount),
            ],
            idempotency_key=f"withdrawal:{withdrawal.pk}:reject",
            reference=f"W{withdrawal.pk}",
            memo=reason,
            actor=actor,
            now=now,
        )
        withdrawal.reject()
        withdrawal.rejection_reason = reason[:500]
        withdrawal.decided_by = actor if getattr(actor, "pk", None) else None
        withdrawal.decided_at = now or timezone.now()
        withdrawal.settle_transaction = posting.transaction
        withdrawal.save()
        audit(actor=actor, action="settlement.withdrawal_reject", obj=withdrawal, organisation=withdrawal.organisation, summary=reason)
        notify_organisation(
            organisation=withdrawal.organisation,
            kind="settlement.withdrawal_rejected",
            params={"amount": texts.Money(withdrawal.amount), "reason": reason},
            url=reverse("settlement:withdrawal_list"),
            managers_only=True,
        )
    return withdrawal
