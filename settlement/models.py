"""The double-entry ledger, wallets, escrow, top-ups and withdrawals. See SPEC §5.

Sign convention: an entry's ``amount`` is the change of its account's balance.
Money entering the platform makes the external clearing account negative; every
journal transaction's entries sum to zero, so all balances together sum to zero.

Only ``settlement.services`` writes these rows. Journal transactions and entries are
append-only: model guards refuse updates and deletes, and database triggers (see
migration 0002) refuse them too and check each transaction balances at commit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from distribution.core import texts
from distribution.core.media import RandomName
from distribution.core.money import MONEY_FIELD_KWARGS, ZERO


class Account(models.Model):
    """A ledger account: an organisation's wallet or one of the platform's own accounts.

    Only wallets keep a cached balance (``balance_amount``), changed under a row lock
    in the posting transaction. Platform accounts are written by nearly every payment,
    so they are never locked nor cached: their balances are sums of their entries.
    """

    class Kind(models.TextChoices):
        WALLET = "wallet", _("Wallet")
        ESCROW = "escrow", _("Platform escrow")
        COMMISSION = "commission", _("Platform commission revenue")
        CLEARING = "clearing", _("External clearing")
        WITHDRAWALS = "withdrawals", _("Withdrawals pending payout")
        RECEIVABLES = "receivables", _("Refunds owed by suppliers")

    PLATFORM_KINDS = (Kind.ESCROW, Kind.COMMISSION, Kind.CLEARING, Kind.WITHDRAWALS, Kind.RECEIVABLES)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    balance_amount = models.DecimalField(_("balance"), default=ZERO, **MONEY_FIELD_KWARGS)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(condition=Q(balance_amount__gte=0), name="settlement_account_balance_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind="wallet") & Q(organisation__isnull=False))
                | (~Q(kind="wallet") & Q(organisation__isnull=True) & Q(balance_amount=0)),
                name="settlement_account_wallet_has_organisation",
            ),
            models.UniqueConstraint(fields=["organisation"], condition=Q(kind="wallet"), name="settlement_one_wallet_per_organisation"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(organisation__isnull=True), name="settlement_one_platform_account_per_kind"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.WALLET:
            return str(_("Wallet of %(organisation)s") % {"organisation": self.organisation})
        return str(self.get_kind_display())

    @property
    def is_wallet(self) -> bool:
        return self.kind == self.Kind.WALLET


class WalletManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Account.Kind.WALLET)


class Wallet(Account):
    """An organisation's wallet (a proxy of :class:`Account` with ``kind="wallet"``)."""

    objects = WalletManager()

    class Meta:
        proxy = True
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")


class ImmutableModel(models.Model):
    """Rows that may be inserted once and never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are immutable once posted")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are immutable; post a reversing transaction instead")


class JournalTransaction(ImmutableModel):
    """One movement of money: two or more entries summing to zero."""

    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("Top-up")
        PO_PAYMENT = "po_payment", _("Purchase order payment")
        PO_REFUND = "po_refund", _("Purchase order refund")
        PO_RELEASE = "po_release", _("Purchase order settlement")
        DISPUTE_SETTLEMENT = "dispute_settlement", _("Dispute settlement")
        WITHDRAWAL_HOLD = "withdrawal_hold", _("Withdrawal requested")
        WITHDRAWAL_PAID = "withdrawal_paid", _("Withdrawal paid out")
        WITHDRAWAL_RELEASED = "withdrawal_released", _("Withdrawal rejected")
        REWARD = "reward", _("Reward")
        ADJUSTMENT = "adjustment", _("Adjustment")
        AFTER_SALES_REFUND = "after_sales_refund", _("After-sales refund")
        RECEIVABLE_COLLECTION = "receivable_collection", _("Refund owed, collected from a settlement")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    memo = models.CharField(_("memo"), max_length=500, blank=True)
    # the memo as a registered text (distribution.core.texts); None: typed by a person, shown as it is
    memo_text = models.JSONField(_("memo (text kind)"), null=True, blank=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    # Its tenant (distribution column, docs/scaling.md): the supplier of the PO for escrow
    # movements (co-located with the PO and its escrow hold), else the organisation whose wallet
    # it moves (the payer of a reward). Set by the ledger's two writers (``ledger.post``,
    # ``bulk``); a header has no parent row to copy it from. Ledger rows are never deleted.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.DO_NOTHING, related_name="+", db_index=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("journal transaction")
        verbose_name_plural = _("journal transactions")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.reference}".strip()


class JournalEntry(ImmutableModel):
    """One line of a journal transaction. ``balance_after`` is the wallet's balance just after it (wallets only)."""

    # no index of their own: the unique (transaction, account) and the (account, id) indexes below serve both
    transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transaction"), db_index=False
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"), db_index=False)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD_KWARGS)
    balance_after = models.DecimalField(_("balance after"), null=True, blank=True, **MONEY_FIELD_KWARGS)
    # Its tenant: the wallet's organisation, or the transaction's for a platform account's entry
    # (so "escrow" is one row set per shard). Left unset, the database fills it (settlement 0004).
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_default=None
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [
            models.Index(fields=["account", "id"], name="settlement_entry_account_id"),
            # statements: one organisation's entries, newest first
            models.Index(fields=["organisation", "id"], name="settlement_entry_tenant_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="settlement_entry_amount_not_zero"),
            models.UniqueConstraint(fields=["transaction", "account"], name="settlement_entry_one_line_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


class SupplierReceivable(models.Model):
    """What a supplier still owes for refunds its wallet could not cover (after-sales refunds, a
    dispute decided for the reseller after the escrow was released: ``refund_from_supplier``).

    The platform paid the reseller in full; the difference sits in the platform's receivables
    account and is taken from the supplier's next escrow releases (``escrow_release``) until it
    is zero. ``reconcile`` checks the receivables account equals the sum of these rows.
    """

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    outstanding_amount = models.DecimalField(_("outstanding"), default=ZERO, **MONEY_FIELD_KWARGS)
    owed_total_amount = models.DecimalField(_("owed in total"), default=ZERO, **MONEY_FIELD_KWARGS)
    collected_total_amount = models.DecimalField(_("collected in total"), default=ZERO, **MONEY_FIELD_KWARGS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supplier receivable")
        verbose_name_plural = _("supplier receivables")
        constraints = [
            models.CheckConstraint(condition=Q(outstanding_amount__gte=0), name="settlement_receivable_not_negative"),
            models.CheckConstraint(
                condition=Q(outstanding_amount=F("owed_total_amount") - F("collected_total_amount")),
                name="settlement_receivable_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.outstanding_amount}"


class EscrowHold(models.Model):
    """Money a reseller paid for one purchase order, held until it is refunded or released.

    Keyed by the PO's reference; only that PO's operations lock this row, so escrow
    is never one hot row for the whole platform.
    """

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    # indexed once each, by Meta.indexes (the foreign keys' own index was a second copy)
    payer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("payer"), db_index=False)
    payee = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("payee"), db_index=False)
    held_amount = models.DecimalField(_("held"), **MONEY_FIELD_KWARGS)
    refunded_amount = models.DecimalField(_("refunded"), default=ZERO, **MONEY_FIELD_KWARGS)
    released_amount = models.DecimalField(_("released"), default=ZERO, **MONEY_FIELD_KWARGS)
    commission_amount = models.DecimalField(_("commission"), default=ZERO, **MONEY_FIELD_KWARGS)
    operations = models.PositiveIntegerField(default=0, verbose_name=_("operations"))
    last_transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("last transaction")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("escrow hold")
        verbose_name_plural = _("escrow holds")
        indexes = [models.Index(fields=["payer"]), models.Index(fields=["payee"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_amount__gt=0)
                & Q(refunded_amount__gte=0)
                & Q(released_amount__gte=0)
                & Q(commission_amount__gte=0)
                & Q(held_amount__gte=F("refunded_amount") + F("released_amount"))
                & Q(released_amount__gte=F("commission_amount")),
                name="settlement_escrow_hold_amounts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.outstanding_amount}"

    @property
    def outstanding_amount(self) -> Decimal:
        return self.held_amount - self.refunded_amount - self.released_amount


def receipt_upload_to(instance: TopUpRequest, filename: str) -> str:
    """Kept for the old migrations; new receipts get random names (``RandomName``)."""
    return RandomName("settlement/receipts")(instance, filename)


class TopUpRequest(models.Model):
    """A reseller's claim that it sent money (offline bank transfer), confirmed or rejected by staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    provider = models.CharField(_("payment method"), max_length=32, default="offline_transfer")
    amount = models.DecimalField(_("amount"), **MONEY_FIELD_KWARGS)
    payer_name = models.CharField(_("payer name"), max_length=120)
    bank_reference = models.CharField(_("bank reference"), max_length=64)
    receipt = models.FileField(
        _("receipt"),
        upload_to=RandomName("settlement/receipts"),
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "pdf"])],
    )
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, protected=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    journal_transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("journal transaction")
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_top_up_amount_positive"),
            models.UniqueConstraint(
                fields=["organisation", "bank_reference"], condition=~Q(status="rejected"), name="settlement_top_up_unique_bank_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.amount} ({self.get_status_display()})"

    @transition(field=status, source=Status.PENDING, target=Status.CONFIRMED)
    def confirm(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self) -> None:
        pass


account_number_validator = RegexValidator(r"^\d{8,30}$", _("Enter the account number as 8 to 30 digits."))


class WithdrawalRequest(models.Model):
    """A supplier's request to pay part of its wallet out to its bank account. The amount is held at once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payout")
        PAID = "paid", _("Paid out")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD_KWARGS)
    account_name = models.CharField(_("account name"), max_length=120)
    bank_name = models.CharField(_("bank name"), max_length=120)
    account_number = models.CharField(_("account number"), max_length=30, validators=[account_number_validator])
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, protected=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    payout_reference = models.CharField(_("payout bank reference"), max_length=64, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, verbose_name=_("idempotency key"))
    hold_transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("hold transaction")
    )
    settle_transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("settle transaction")
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_withdrawal_amount_positive"),
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], condition=~Q(idempotency_key=""), name="settlement_withdrawal_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.amount} ({self.get_status_display()})"

    @property
    def masked_account_number(self) -> str:
        return "•••• " + self.account_number[-4:]

    @transition(field=status, source=Status.PENDING, target=Status.PAID)
    def mark_paid(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self) -> None:
        pass


class Reward(models.Model):
    """A supplier's reward (rebate) to a partnered reseller (R17), paid wallet to wallet."""

    supplier = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    reseller = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("reseller"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD_KWARGS)
    note = models.CharField(_("note"), max_length=300)
    journal_transaction = models.OneToOneField(
        JournalTransaction, on_delete=models.PROTECT, related_name="reward", verbose_name=_("journal transaction")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="settlement_reward_amount_positive")]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.reseller}: {self.amount}"


def entry_description(entry: JournalEntry) -> str:
    """What a statement line says beyond its kind: reference, counterparty of a reward, memo."""
    txn = entry.transaction
    parts: list[str] = []
    if txn.kind == JournalTransaction.Kind.REWARD:
        reward = getattr(txn, "reward", None)
        if reward is not None:
            if entry.amount < 0:
                parts.append(str(_("To %(name)s") % {"name": reward.reseller.name}))
            else:
                parts.append(str(_("From %(name)s") % {"name": reward.supplier.name}))
    elif txn.reference:
        parts.append(txn.reference)
    if txn.memo:
        parts.append(texts.show_stored(txn.memo_text, txn.memo))
    return " · ".join(parts)
