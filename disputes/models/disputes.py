"""Disputes on shipped purchase orders (R15, R16): the thread, offers and decisions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from distribution.core.media import RandomName
from distribution.core.money import MONEY_FIELD_KWARGS


class Side(models.TextChoices):
    RESELLER = "reseller", _("Reseller")
    SUPPLIER = "supplier", _("Supplier")
    STAFF = "staff", _("Platform staff")
    SYSTEM = "system", _("System")


class Dispute(models.Model):
    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("Not received")
        DAMAGED = "damaged", _("Damaged")
        WRONG_ITEM = "wrong_item", _("Wrong item")
        NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
        QUALITY = "quality", _("Quality problem")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Negotiating")
        ESCALATED = "escalated", _("Escalated to the platform")
        SETTLED = "settled", _("Settled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        AGREEMENT = "agreement", _("Agreed offer")
        DECISION = "decision", _("Platform decision")

    OPEN_STATUSES = (Status.OPEN, Status.ESCALATED)

    purchase_order = models.ForeignKey(
        "procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="disputes", verbose_name=_("purchase order")
    )
    reseller = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="disputes_opened", verbose_name=_("reseller")
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="disputes_received", verbose_name=_("supplier")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("opened by")
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    requested_amount = models.DecimalField(_("amount asked back"), **MONEY_FIELD_KWARGS)
    description = models.TextField(_("description"))
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, protected=True, db_index=True)
    waiting_on = models.CharField(_("waiting on"), max_length=16, choices=Side.choices, default=Side.SUPPLIER, db_index=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    dispute_until = models.DateTimeField(_("negotiate until"), db_index=True)
    confirm_time_left = models.DurationField(_("auto-confirm time left when opened"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    auto_escalated = models.BooleanField(_("escalated automatically"), default=False)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("escalated by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    refund_amount = models.DecimalField(_("refunded to reseller"), null=True, blank=True, **MONEY_FIELD_KWARGS)
    release_amount = models.DecimalField(_("released to supplier"), null=True, blank=True, **MONEY_FIELD_KWARGS)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order"], condition=Q(status__in=["open", "escalated"]), name="one_open_dispute_per_po"
            ),
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="dispute_requested_positive"),
        ]

    def __str__(self) -> str:
        return f"D{self.pk:06d}" if self.pk else "D(new)"

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @transition(field=status, source=Status.OPEN, target=Status.ESCALATED)
    def escalate(self, *, at, auto: bool = False, by=None) -> None:
        self.escalated_at = at
        self.auto_escalated = auto
        self.escalated_by = by
        self.waiting_on = Side.STAFF

    @transition(field=status, source=[Status.OPEN, Status.ESCALATED], target=Status.SETTLED)
    def settle(self, *, at, outcome: str, refund_amount: Decimal, release_amount: Decimal) -> None:
        self.closed_at = at
        self.outcome = outcome
        self.refund_amount = refund_amount
        self.release_amount = release_amount
        self.waiting_on = ""

    @transition(field=status, source=[Status.OPEN, Status.ESCALATED], target=Status.WITHDRAWN)
    def withdraw(self, *, at) -> None:
        self.closed_at = at
        self.waiting_on = ""


def evidence_upload_to(instance: DisputeEvidence, filename: str) -> str:
    return f"disputes/{instance.dispute_id}/{filename}"


class DisputeMessage(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="messages", verbose_name=_("dispute"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("author")
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("dispute message")
        verbose_name_plural = _("dispute messages")

    def __str__(self) -> str:
        return f"{self.dispute} · {self.get_side_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class DisputeEvidence(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("dispute"))
    message = models.ForeignKey(
        DisputeMessage, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments", verbose_name=_("message")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    file = models.FileField(_("file"), upload_to=RandomName("disputes"))
    original_name = models.CharField(max_length=200, blank=True, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, blank=True, verbose_name=_("content type"))
    size = models.PositiveIntegerField(default=0, verbose_name=_("size"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DisputeOffer(models.Model):
    """ "Refund X to the reseller, release the rest to the supplier"."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        COUNTERED = "countered", _("Countered")
        SUPERSEDED = "superseded", _("Replaced by a newer offer")
        LAPSED = "lapsed", _("Lapsed")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="offers", verbose_name=_("dispute"))
    side = models.CharField(_("offered by"), max_length=16, choices=Side.choices)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("made by"))
    refund_amount = models.DecimalField(_("refund to reseller"), **MONEY_FIELD_KWARGS)
    release_amount = models.DecimalField(_("release to supplier"), **MONEY_FIELD_KWARGS)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(condition=Q(refund_amount__gte=0) & Q(release_amount__gte=0), name="offer_amounts_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} · {self.refund_amount}/{self.release_amount}"


class DisputeDecision(models.Model):
    """A platform staff member's final decision on an escalated (or any open) dispute."""

    class AtFault(models.TextChoices):
        NONE = "", _("Nobody")
        RESELLER = "reseller", _("Reseller")
        SUPPLIER = "supplier", _("Supplier")

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="decision", verbose_name=_("dispute"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(default=timezone.now, verbose_name=_("decided at"))
    refund_amount = models.DecimalField(_("refund to reseller"), **MONEY_FIELD_KWARGS)
    release_amount = models.DecimalField(_("release to supplier"), **MONEY_FIELD_KWARGS)
    decision = models.TextField(_("written decision"))
    at_fault = models.CharField(_("party at fault"), max_length=16, choices=AtFault.choices, blank=True)
    penalty = models.ForeignKey(
        "accounts.Penalty", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("penalty")
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.dispute} · {self.refund_amount}/{self.release_amount}"
