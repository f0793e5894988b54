"""After-sales requests (售後) on completed purchase orders: refunds, returns, exchanges.

State machine (transition methods hold guards and field assignments only; ``aftersales.services``
calls them under a row lock and writes the transition row, the money and the notifications)::

    requested ─agree─▶ awaiting_return ─ship_back─▶ return_shipped ─receive─▶ refunded | exchanged
        │  └─agree (refund only)──────────────────────────────────────────────▶ refunded
        ├─propose─▶ proposed ─accept─▶ awaiting_return | refunded
        │              └─escalate─▶ escalated ─(staff)─▶ refunded | awaiting_return | closed
        └─refuse──▶ refused ──escalate─▶ escalated
    any open state ─withdraw / timers─▶ closed

Timers (``aftersales.sweeps``): supplier silent past ``respond_by`` → agreed; reseller does not ship
back by ``return_by`` → closed; supplier does not confirm arrival by ``receive_by`` → refunded;
reseller does not answer a refusal or proposal by ``reply_by`` → closed.

``receive_by`` runs from the moment the return was delivered: ``AFTERSALES_RECEIVE_WITHIN`` after
``return_delivered_at``, which the reseller (page or API, from the carrier's tracking) records with
``mark_return_delivered``. Until it does, the return counts as delivered ``AFTERSALES_RETURN_TRANSIT``
after it was shipped back (the fallback), so a return nobody reports still ends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from distribution.core import texts
from distribution.core.media import RandomName
from distribution.core.money import MONEY_FIELD_KWARGS, ZERO


class AfterSale(models.Model):
    class Kind(models.TextChoices):
        REFUND_ONLY = "refund_only", _("Refund only")
        RETURN_REFUND = "return_refund", _("Return and refund")
        EXCHANGE = "exchange", _("Exchange")

    class Reason(models.TextChoices):
        NO_REASON = "no_reason", _("7-day no-reason return")
        QUALITY = "quality", _("Quality problem")
        WRONG_ITEM = "wrong_item", _("Wrong or missing item")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the supplier")
        PROPOSED = "proposed", _("Supplier proposed an amount")
        REFUSED = "refused", _("Refused by the supplier")
        ESCALATED = "escalated", _("With platform staff")
        AWAITING_RETURN = "awaiting_return", _("Waiting for the return")
        RETURN_SHIPPED = "return_shipped", _("Return on its way")
        REFUNDED = "refunded", _("Refunded")
        EXCHANGED = "exchanged", _("Exchanged")
        CLOSED = "closed", _("Closed")

    OPEN_STATES = (Status.REQUESTED, Status.PROPOSED, Status.REFUSED, Status.ESCALATED, Status.AWAITING_RETURN, Status.RETURN_SHIPPED)
    FINAL_STATES = (Status.REFUNDED, Status.EXCHANGED, Status.CLOSED)
    # who has to act next in each open state
    SUPPLIER_ACTS = (Status.REQUESTED, Status.RETURN_SHIPPED)
    RESELLER_ACTS = (Status.PROPOSED, Status.REFUSED, Status.AWAITING_RETURN)

    number = models.CharField(_("number"), max_length=32, unique=True)
    purchase_order = models.ForeignKey("procurement.PurchaseOrder", on_delete=models.PROTECT, related_name="after_sales")
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.PROTECT, related_name="after_sales")
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="after_sales")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    description = models.CharField(_("description"), max_length=1000)
    status = FSMField(_("status"), choices=Status.choices, default=Status.REQUESTED, protected=True, db_index=True)

    requested_amount = models.DecimalField(_("amount asked"), **MONEY_FIELD_KWARGS)
    proposed_amount = models.DecimalField(_("amount proposed"), null=True, blank=True, **MONEY_FIELD_KWARGS)
    agreed_amount = models.DecimalField(_("amount agreed"), null=True, blank=True, **MONEY_FIELD_KWARGS)
    refund_amount = models.DecimalField(_("refunded"), default=ZERO, **MONEY_FIELD_KWARGS)
    owed_amount = models.DecimalField(_("owed by the supplier"), default=ZERO, **MONEY_FIELD_KWARGS)
    supplier_note = models.CharField(_("supplier's answer"), max_length=500, blank=True)

    return_carrier = models.CharField(_("return carrier"), max_length=50, blank=True)
    return_tracking_number = models.CharField(_("return tracking number"), max_length=50, blank=True)
    exchange_carrier = models.CharField(_("replacement carrier"), max_length=50, blank=True)
    exchange_tracking_number = models.CharField(_("replacement tracking number"), max_length=50, blank=True)

    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    respond_by = models.DateTimeField(_("supplier answers by"), null=True, blank=True, db_index=True)
    reply_by = models.DateTimeField(_("reseller answers by"), null=True, blank=True, db_index=True)
    return_by = models.DateTimeField(_("ship back by"), null=True, blank=True, db_index=True)
    receive_by = models.DateTimeField(_("supplier confirms arrival by"), null=True, blank=True, db_index=True)
    return_shipped_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_delivered_at = models.DateTimeField(_("return delivered at"), null=True, blank=True)
    restocked = models.BooleanField(_("returned goods put back in stock"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        indexes = [models.Index(fields=["reseller", "status"]), models.Index(fields=["supplier", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(requested_amount__gte=0), name="aftersale_requested_non_negative"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="aftersale_refund_non_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def needs_return(self) -> bool:
        return self.kind in (self.Kind.RETURN_REFUND, self.Kind.EXCHANGE)

    @property
    def can_restock(self) -> bool:
        """Returned goods go back to stock for a return and refund (not a refund only, nor an exchange's)."""
        return self.kind == self.Kind.RETURN_REFUND

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    def _after_agreement(self, *, now, amount) -> None:
        self.agreed_amount = amount
        self.respond_by = self.reply_by = None
        if self.needs_return:
            self.return_by = now + settings.AFTERSALES_RETURN_WITHIN

    def _is_refund_only(self) -> bool:
        return not self.needs_return

    def _needs_return(self) -> bool:
        return self.needs_return

    # --- transitions (guards and field assignments only) ---------------------------------
    @transition(
        field=status,
        source=[Status.REQUESTED, Status.PROPOSED, Status.ESCALATED],
        target=Status.AWAITING_RETURN,
        conditions=[_needs_return],
    )
    def agree_return(self, *, now, amount) -> None:
        self._after_agreement(now=now, amount=amount)

    @transition(
        field=status,
        source=[Status.REQUESTED, Status.PROPOSED, Status.ESCALATED, Status.RETURN_SHIPPED],
        target=Status.REFUNDED,
    )
    def refund(self, *, now, amount, owed) -> None:
        self.agreed_amount = amount if self.agreed_amount is None else self.agreed_amount
        self.refund_amount = amount
        self.owed_amount = owed
        self.closed_at = now
        self.respond_by = self.reply_by = self.return_by = self.receive_by = None

    @transition(field=status, source=Status.REQUESTED, target=Status.PROPOSED)
    def propose(self, *, now, amount, note) -> None:
        self.proposed_amount = amount
        self.supplier_note = note
        self.respond_by = None
        self.reply_by = now + settings.AFTERSALES_REPLY_WITHIN

    @transition(field=status, source=Status.REQUESTED, target=Status.REFUSED)
    def refuse(self, *, now, note) -> None:
        self.supplier_note = note
        self.respond_by = None
        self.reply_by = now + settings.AFTERSALES_REPLY_WITHIN

    @transition(field=status, source=[Status.REFUSED, Status.PROPOSED], target=Status.ESCALATED)
    def escalate(self, *, now) -> None:
        self.escalated_at = now
        self.reply_by = None

    @transition(field=status, source=Status.AWAITING_RETURN, target=Status.RETURN_SHIPPED)
    def ship_back(self, *, now, carrier, tracking_number) -> None:
        self.return_carrier, self.return_tracking_number = carrier, tracking_number
        self.return_shipped_at = now
        self.return_by = None
        # until the delivery is reported, it counts as delivered AFTERSALES_RETURN_TRANSIT after shipping
        self.receive_by = now + settings.AFTERSALES_RETURN_TRANSIT + settings.AFTERSALES_RECEIVE_WITHIN

    def mark_return_delivered(self, *, at) -> None:
        """The return reached the supplier at ``at``: the supplier has ``AFTERSALES_RECEIVE_WITHIN`` from then."""
        self.return_delivered_at = at
        self.receive_by = at + settings.AFTERSALES_RECEIVE_WITHIN

    @transition(field=status, source=Status.RETURN_SHIPPED, target=Status.EXCHANGED)
    def exchange(self, *, now, carrier, tracking_number) -> None:
        self.exchange_carrier, self.exchange_tracking_number = carrier, tracking_number
        self.closed_at = now
        self.receive_by = None

    @transition(
        field=status,
        source=[Status.REQUESTED, Status.PROPOSED, Status.REFUSED, Status.ESCALATED, Status.AWAITING_RETURN],
        target=Status.CLOSED,
    )
    def close(self, *, now) -> None:
        self.closed_at = now
        self.respond_by = self.reply_by = self.return_by = self.receive_by = None


class AfterSaleLine(models.Model):
    after_sale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("procurement.PurchaseOrderLine", on_delete=models.PROTECT, related_name="after_sale_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = models.DecimalField(_("amount"), **MONEY_FIELD_KWARGS)

    class Meta:
        ordering = ["after_sale_id", "line_id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="aftersale_line_quantity_positive"),
            models.UniqueConstraint(fields=["after_sale", "line"], name="aftersale_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


class AfterSaleTransition(models.Model):
    """The timeline of a request: who, when, from, to, reason."""

    after_sale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(_("by"), max_length=200)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # the reason as a registered text (distribution.core.texts); None: typed by a person, shown as it is
    reason_text = models.JSONField(_("reason (text kind)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.after_sale_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language."""
        return texts.show_stored(self.reason_text, self.reason)

    @property
    def to_label(self) -> str:
        return AfterSale.Status(self.to_status).label if self.to_status in AfterSale.Status.values else self.to_status


class AfterSaleEvidence(models.Model):
    after_sale = models.ForeignKey(AfterSale, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    side = models.CharField(_("side"), max_length=16)
    file = models.FileField(_("file"), upload_to=RandomName("aftersales"))
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("after-sales evidence")
        verbose_name_plural = _("after-sales evidence")

    def __str__(self) -> str:
        return self.original_name or self.file.name
