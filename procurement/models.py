"""Purchase orders (採購單): the lifecycle of SPEC §3, lines, transition log, saved addresses.

Transition methods hold only guards and field assignments. Services in
``procurement.services`` call them under a row lock (``select_for_update``) and do
the side effects (stock, ledger, notifications, transition row) in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from distribution.core import texts
from distribution.core.divisions import name_of
from distribution.core.money import MONEY_FIELD_KWARGS, ZERO

PO_NUMBER_SEQUENCE = "procurement_po_number_seq"


class AddressFields(models.Model):
    """A consumer's shipping address (R12): GB/T 2260 division codes, mainland mobile."""

    recipient = models.CharField(_("recipient"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11)
    province_code = models.CharField(_("province"), max_length=6)
    city_code = models.CharField(_("city"), max_length=6)
    district_code = models.CharField(_("district"), max_length=6, blank=True)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=6)

    class Meta:
        abstract = True

    ADDRESS_FIELDS = ("recipient", "mobile", "province_code", "city_code", "district_code", "street", "postal_code")

    @property
    def province_name(self) -> str:
        return name_of(self.province_code)

    @property
    def city_name(self) -> str:
        return name_of(self.city_code)

    @property
    def district_name(self) -> str:
        return name_of(self.district_code) if self.district_code else ""

    @property
    def address_line(self) -> str:
        city = "" if self.city_name == self.province_name else self.city_name
        return f"{self.province_name}{city}{self.district_name}{self.street}"

    def address_dict(self) -> dict[str, str]:
        return {f: getattr(self, f) for f in self.ADDRESS_FIELDS}


class PurchaseOrder(AddressFields):
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PAID = "paid", _("Paid, awaiting shipment")
        SHIPPED = "shipped", _("Shipped")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")
        REFUNDED = "refunded", _("Refunded")
        DISPUTED = "disputed", _("Disputed")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    # States in which the escrow holds this PO's money (reconciliation).
    ESCROW_STATES = (Status.PAID, Status.SHIPPED, Status.DISPUTED)
    FINAL_STATES = (Status.COMPLETED, Status.CLOSED, Status.REFUNDED, Status.PARTIALLY_REFUNDED)

    number = models.CharField(_("number"), max_length=24, unique=True)
    status = FSMField(_("status"), choices=Status.choices, default=Status.AWAITING_PAYMENT, protected=True, db_index=True)
    # no index of their own: (supplier, status), (reseller, status) and (reseller, consumer_order_ref) lead with them
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier"), db_index=False
    )
    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("reseller"), db_index=False
    )
    shop = models.ForeignKey(
        "resellers.Shop", on_delete=models.SET_NULL, null=True, blank=True, related_name="purchase_orders", verbose_name=_("shop")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("placed by")
    )
    consumer_order_ref = models.CharField(_("consumer order reference"), max_length=64)
    note = models.CharField(_("note to supplier"), max_length=500, blank=True)

    goods_amount = models.DecimalField(_("goods"), **MONEY_FIELD_KWARGS)
    shipping_amount = models.DecimalField(_("shipping"), default=ZERO, **MONEY_FIELD_KWARGS)
    total_amount = models.DecimalField(_("total"), **MONEY_FIELD_KWARGS)
    # how the shipping was computed (suppliers.terms: flat fee or template, region, units, free-shipping threshold)
    shipping_breakdown = models.JSONField(_("shipping breakdown"), default=dict, blank=True)

    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    pay_by = models.DateTimeField(_("pay by"), db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True, db_index=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    # The first package's time: at ``ship_by`` a PO partly shipped has only the rest refunded (R14).
    first_shipped_at = models.DateTimeField(_("first package shipped at"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    confirm_by = models.DateTimeField(_("auto-confirm at"), null=True, blank=True, db_index=True)
    dispute_until = models.DateTimeField(_("dispute until"), null=True, blank=True)
    confirm_remaining = models.DurationField(
        null=True, blank=True, help_text=_("Auto-confirm time left when disputed."), verbose_name=_("confirm remaining")
    )
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    refund_amount = models.DecimalField(_("refunded"), default=ZERO, **MONEY_FIELD_KWARGS)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # the reason as a registered text (distribution.core.texts); None: typed by a person, shown as it is
    status_reason_text = models.JSONField(_("reason (text kind)"), null=True, blank=True, editable=False)

    # Each reminder goes out once.
    pay_reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("pay reminded at"))
    ship_reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("ship reminded at"))
    confirm_reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirm reminded at"))
    address_changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("address changed at"))

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [
            models.Index(fields=["reseller", "status"]),
            models.Index(fields=["supplier", "status"]),
            # placing looks up earlier POs of the same consumer order (duplicate_of)
            models.Index(fields=["reseller", "consumer_order_ref"], name="po_reseller_consumer_ref"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(goods_amount__gte=0), name="po_goods_non_negative"),
            models.CheckConstraint(condition=Q(shipping_amount__gte=0), name="po_shipping_non_negative"),
            models.CheckConstraint(
                condition=Q(total_amount=models.F("goods_amount") + models.F("shipping_amount")),
                name="po_total_is_goods_plus_shipping",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # --- guards -------------------------------------------------------------------------
    def has_shipping_details(self) -> bool:
        return bool(self.carrier.strip() and self.tracking_number.strip())

    def dispute_window_open(self, now: datetime | None = None) -> bool:
        from django.utils import timezone

        now = now or timezone.now()
        return self.dispute_until is not None and now < self.dispute_until

    @property
    def held_amount(self) -> Decimal:
        """What the escrow should hold for this PO now (less what was already refunded of it)."""
        return self.total_amount - self.refund_amount if self.status in self.ESCROW_STATES else ZERO

    @property
    def in_question(self) -> Decimal:
        """What the reseller paid and has not had back: what a dispute divides."""
        return self.total_amount - self.refund_amount

    @property
    def shipping_breakdown_shown(self) -> dict:
        """The shipping breakdown with its region named in the reader's language (``suppliers.terms``)."""
        from suppliers.terms import breakdown_shown

        return breakdown_shown(self.shipping_breakdown)

    @property
    def status_reason_display(self) -> str:
        """The reason of the last close/refund in the reader's language."""
        return texts.show_stored(self.status_reason_text, self.status_reason)

    @property
    def address_editable(self) -> bool:
        return self.status in (self.Status.AWAITING_PAYMENT, self.Status.PAID)

    # --- transitions (guards and field assignments only) ---------------------------------
    @transition(field=status, source=Status.AWAITING_PAYMENT, target=Status.PAID)
    def pay(self, *, now: datetime) -> None:
        self.paid_at = now
        self.ship_by = now + settings.PO_SHIP_WITHIN

    @transition(field=status, source=Status.AWAITING_PAYMENT, target=Status.CLOSED)
    def close(self, *, now: datetime, reason: str | texts.Text = "") -> None:
        self.closed_at = now
        self.status_reason, self.status_reason_text = texts.plain(reason, 500), texts.stored(reason)

    @transition(field=status, source=Status.PAID, target=Status.SHIPPED, conditions=[has_shipping_details])
    def ship(self, *, now: datetime) -> None:
        self.shipped_at = now
        self.confirm_by = now + settings.PO_CONFIRM_WITHIN
        self.dispute_until = self.confirm_by

    @transition(field=status, source=Status.PAID, target=Status.REFUNDED)
    def refund(self, *, now: datetime, reason: str | texts.Text = "") -> None:
        self.refunded_at = now
        self.refund_amount = self.total_amount
        self.status_reason, self.status_reason_text = texts.plain(reason, 500), texts.stored(reason)

    @transition(field=status, source=Status.SHIPPED, target=Status.COMPLETED)
    def complete(self, *, now: datetime) -> None:
        self.completed_at = now

    @transition(field=status, source=Status.SHIPPED, target=Status.DISPUTED, conditions=[dispute_window_open])
    def open_dispute(self, *, now: datetime) -> None:
        self.disputed_at = now
        self.confirm_remaining = max(self.confirm_by - now, timedelta(0)) if self.confirm_by else None

    @transition(field=status, source=Status.DISPUTED, target=Status.SHIPPED)
    def withdraw_dispute(self, *, now: datetime) -> None:
        remaining = self.confirm_remaining if self.confirm_remaining is not None else timedelta(0)
        self.confirm_by = now + remaining
        self.confirm_remaining = None

    def settlement_adds_up(self, refund_amount: Decimal, release_amount: Decimal) -> bool:
        return refund_amount >= 0 and release_amount >= 0 and refund_amount + release_amount == self.in_question

    @transition(field=status, source=Status.DISPUTED, target=Status.COMPLETED)
    def settle_release(self, *, now: datetime) -> None:
        self.completed_at = now
        self.confirm_remaining = None

    @transition(field=status, source=Status.DISPUTED, target=Status.REFUNDED)
    def settle_refund(self, *, now: datetime) -> None:
        self.refunded_at = now
        self.refund_amount = self.total_amount
        self.confirm_remaining = None

    @transition(field=status, source=Status.DISPUTED, target=Status.PARTIALLY_REFUNDED)
    def settle_partially(self, *, now: datetime, refund_amount: Decimal) -> None:
        self.refunded_at = now
        self.completed_at = now
        self.refund_amount += refund_amount
        self.confirm_remaining = None


def tenant_supplier() -> models.ForeignKey:
    """The PO's supplier on a row of the PO (its tenant: the distribution column on Citus, docs/scaling.md).

    Left unset, the database fills it from the PO (``distribution.core.tenancy``). A row never outlives
    its PO, which protects the supplier, so the foreign key needs no ``on_delete`` of its own.
    """
    return models.ForeignKey(
        "suppliers.Supplier", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_default=None
    )


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase order"))
    supplier = tenant_supplier()
    sku = models.ForeignKey("suppliers.SKU", on_delete=models.PROTECT, related_name="purchase_order_lines", verbose_name=_("sku"))
    code = models.CharField(_("SKU code"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY_FIELD_KWARGS)
    retail_price = models.DecimalField(_("retail price"), **MONEY_FIELD_KWARGS)
    line_amount = models.DecimalField(_("line amount"), **MONEY_FIELD_KWARGS)
    # The SKU's variant (size, colour …) when the PO was placed: what the warehouse picks.
    attributes = models.JSONField(_("variant"), default=dict, blank=True)

    class Meta:
        ordering = ["purchase_order_id", "id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="po_line_quantity_positive"),
            models.UniqueConstraint(fields=["purchase_order", "sku"], name="po_line_sku_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} × {self.quantity}"

    @property
    def variant_label(self) -> str:
        return variant_label(self.attributes)


def variant_label(attributes: dict | None) -> str:
    """``{"顏色": "紅", "尺碼": "M"}`` → ``顏色: 紅 / 尺碼: M``."""
    return " / ".join(f"{k}: {v}" for k, v in (attributes or {}).items())


class Package(models.Model):
    """One parcel of a PO: some lines and quantities, with its carrier and tracking number.

    ``carrier_code`` is a code of ``procurement.carriers`` or ``other`` (then ``carrier`` is the
    supplier's free text). The tracking may be corrected after shipping (the old value stays in
    the PO's timeline).
    """

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="packages")
    carrier_code = models.CharField(_("carrier code"), max_length=16, default="other")
    carrier = models.CharField(_("carrier"), max_length=50)
    tracking_number = models.CharField(_("tracking number"), max_length=50)
    shipped_at = models.DateTimeField(_("shipped at"), db_index=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    corrected_at = models.DateTimeField(_("tracking corrected at"), null=True, blank=True)

    class Meta:
        ordering = ["purchase_order_id", "id"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @property
    def tracking_url(self) -> str:
        from .carriers import tracking_url

        return tracking_url(self.carrier_code if self.carrier_code != "other" else self.carrier, self.tracking_number)


class PackageLine(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.CASCADE, related_name="package_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["package_id", "line_id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="package_line_quantity_positive"),
            models.UniqueConstraint(fields=["package", "line"], name="package_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


class PurchaseOrderTransition(models.Model):
    """The timeline: every state change of a PO (who, when, from, to, reason)."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("purchase order")
    )
    supplier = tenant_supplier()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_label = models.CharField(_("by"), max_length=200, help_text=_("The user, or “system” for timers."))
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # the reason as a registered text (distribution.core.texts); None: typed by a person, shown as it is
    reason_text = models.JSONField(_("reason (text kind)"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("purchase order transition")
        verbose_name_plural = _("purchase order transitions")

    def __str__(self) -> str:
        return f"{self.purchase_order_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language."""
        return texts.show_stored(self.reason_text, self.reason)

    @property
    def to_label(self) -> str:
        return PurchaseOrder.Status(self.to_status).label if self.to_status in PurchaseOrder.Status.values else self.to_status


class SavedAddress(AddressFields):
    """A reseller's address book of consumer addresses."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="saved_addresses", verbose_name=_("reseller"))
    label = models.CharField(_("label"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")

    def __str__(self) -> str:
        return f"{self.recipient} {self.address_line}"


# --- order intake from the resellers' shops ------------------------------------------------


class OrderImportMapping(models.Model):
    """A reseller's own column mapping for order files (``columns``: field → the file's header)."""

    reseller = models.ForeignKey(
        "resellers.Reseller", on_delete=models.CASCADE, related_name="order_import_mappings", verbose_name=_("reseller")
    )
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("order file mapping")
        verbose_name_plural = _("order file mappings")
        constraints = [models.UniqueConstraint(fields=["reseller", "name"], name="order_mapping_unique_name")]

    def __str__(self) -> str:
        return self.name


class OrderImport(models.Model):
    """One uploaded order file of a shop: previewed row by row, then placed by the worker."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        PLACING = "placing", _("Placing")
        DONE = "done", _("Placed")
        FAILED = "failed", _("Stopped with errors")

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="order_imports", verbose_name=_("reseller"))
    shop = models.ForeignKey("resellers.Shop", on_delete=models.CASCADE, related_name="order_imports", verbose_name=_("shop"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file"), max_length=200)
    layout = models.CharField(_("layout"), max_length=100)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    orders_total = models.PositiveIntegerField(default=0, verbose_name=_("orders total"))
    orders_done = models.PositiveIntegerField(default=0, verbose_name=_("orders done"))
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    placing_started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("placing started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.pk})"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.orders_total else int(self.orders_done * 100 / self.orders_total)


class OrderImportRow(models.Model):
    """One line of an order file and what became of it."""

    class Outcome(models.TextChoices):
        READY = "ready", _("Ready")
        UNKNOWN_ITEM = "unknown_item", _("Unknown item code")
        PRICE_OUT_OF_RANGE = "price_out_of_range", _("Price out of range")
        NO_STOCK = "no_stock", _("Not enough stock")
        BAD_ADDRESS = "bad_address", _("Bad address")
        DUPLICATE = "duplicate", _("Duplicate")
        INVALID = "invalid", _("Invalid")
        SKIPPED = "skipped", _("Skipped")
        PLACED = "placed", _("Placed")
        NOT_PLACED = "not_placed", _("Not placed")

    order_import = models.ForeignKey(OrderImport, on_delete=models.CASCADE, related_name="rows", verbose_name=_("order import"))
    row_number = models.PositiveIntegerField(_("row"))
    consumer_order_ref = models.CharField(_("consumer order reference"), max_length=64, blank=True)
    item_code = models.CharField(_("shop item code"), max_length=64, blank=True)
    quantity = models.CharField(_("quantity"), max_length=20, blank=True)
    unit_price = models.CharField(_("price"), max_length=20, blank=True)
    recipient = models.CharField(_("recipient"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=30, blank=True)
    address_text = models.CharField(_("address"), max_length=300, blank=True)
    address = models.JSONField(default=dict, blank=True, verbose_name=_("address"))
    note = models.CharField(_("note to supplier"), max_length=500, blank=True)
    sku = models.ForeignKey("suppliers.SKU", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sku"))
    supplier_id_hint = models.IntegerField(null=True, blank=True, verbose_name=_("supplier id hint"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, db_index=True)
    error_field = models.CharField(_("field"), max_length=40, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("purchase order")
    )

    class Meta:
        ordering = ["order_import_id", "row_number"]
        verbose_name = _("order file row")
        verbose_name_plural = _("order file rows")
        indexes = [models.Index(fields=["order_import", "consumer_order_ref"])]
        constraints = [models.UniqueConstraint(fields=["order_import", "row_number"], name="order_import_row_once")]

    def __str__(self) -> str:
        return f"{self.order_import_id}:{self.row_number}"


class ShopOrder(models.Model):
    """A consumer order of a shop that was placed: the guard that makes importing idempotent.

    Unique per shop and consumer order reference, written in the same transaction as the
    order's purchase orders, so a re-uploaded file (or two workers) can never place it twice.
    """

    shop = models.ForeignKey("resellers.Shop", on_delete=models.CASCADE, related_name="shop_orders", verbose_name=_("shop"))
    consumer_order_ref = models.CharField(_("consumer order reference"), max_length=64)
    order_import = models.ForeignKey(
        OrderImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("order import")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("shop order")
        verbose_name_plural = _("shop orders")
        constraints = [models.UniqueConstraint(fields=["shop", "consumer_order_ref"], name="shop_order_unique_ref")]

    def __str__(self) -> str:
        return f"{self.shop_id}:{self.consumer_order_ref}"
