"""The catalog: categories (a tree), products with moderation (R3), SKUs with price control and stock."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from distribution.core.media import RandomName
from distribution.core.money import MONEY_FIELD_KWARGS


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent")]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Pending review")
        LISTED = "listed", _("Listed")
        REJECTED = "rejected", _("Rejected")
        DELISTED = "delisted", _("Delisted")

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="products", verbose_name=_("supplier"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Sanitised HTML."))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category"))
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    # Return window (售後): seven days' no-reason return (七日無理由退貨) allowed or not; quality returns within N days of receipt.
    no_reason_return = models.BooleanField(_("7-day no-reason return"), default=True)
    quality_return_days = models.PositiveSmallIntegerField(_("quality returns within (days of receipt)"), default=15)
    province_code = models.CharField(_("goods location: province"), max_length=6)
    city_code = models.CharField(_("goods location: city"), max_length=6)
    is_imported = models.BooleanField(_("imported goods"), default=False)
    status = FSMField(_("status"), choices=Status.choices, default=Status.DRAFT, protected=True, db_index=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The last approved version stays visible while an edit waits for review.
    approved_title = models.CharField(max_length=200, blank=True, verbose_name=_("approved title"))
    approved_description = models.TextField(blank=True, verbose_name=_("approved description"))
    has_pending_changes = models.BooleanField(default=False, verbose_name=_("has pending changes"))
    listed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("listed at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["supplier", "status"])]

    def __str__(self) -> str:
        return self.title

    # Transitions hold only guards and field assignments; services call them under a row lock.
    @transition(field=status, source=[Status.DRAFT, Status.REJECTED, Status.DELISTED], target=Status.PENDING_REVIEW)
    def submit(self) -> None:
        self.status_reason = ""

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.LISTED)
    def approve(self) -> None:
        self.status_reason = ""
        self.has_pending_changes = False
        self.approved_title = self.title
        self.approved_description = self.description

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.REJECTED)
    def reject(self, reason: str) -> None:
        self.status_reason = reason

    @transition(field=status, source=[Status.LISTED, Status.PENDING_REVIEW], target=Status.DELISTED)
    def delist(self, reason: str) -> None:
        self.status_reason = reason
        self.has_pending_changes = False

    # Edits of a listed product wait for review while the approved version stays visible.
    # These are not status changes (the product stays listed), so they are plain methods.
    def mark_changed(self) -> None:
        self.has_pending_changes = True

    def approve_changes(self) -> None:
        self.has_pending_changes = False
        self.status_reason = ""
        self.approved_title = self.title
        self.approved_description = self.description

    def reject_changes(self, reason: str) -> None:
        """Back to the approved version; the reason tells the supplier why."""
        self.has_pending_changes = False
        self.status_reason = reason
        self.title = self.approved_title
        self.description = self.approved_description

    @property
    def needs_review(self) -> bool:
        return self.status == self.Status.PENDING_REVIEW or (self.status == self.Status.LISTED and self.has_pending_changes)


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product"))
    image = models.ImageField(_("image"), upload_to=RandomName("products"))
    thumbnail = models.ImageField(upload_to=RandomName("products/thumbs"), blank=True, verbose_name=_("thumbnail"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))
    approved = models.BooleanField(default=False, help_text=_("Shown publicly (approved by review)."), verbose_name=_("approved"))
    # An approved image the supplier removed from a listed product: still shown until review.
    pending_removal = models.BooleanField(default=False, verbose_name=_("pending removal"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["position", "id"]
        # /media/ looks a requested file up by its stored name (distribution/core/media.py)
        indexes = [
            models.Index(fields=["image"], name="productimage_image_idx"),
            models.Index(fields=["thumbnail"], name="productimage_thumb_idx"),
        ]


class ProductUpload(models.Model):
    """An image uploaded from the product editor before the product is saved.

    Owned by the supplier (organisation) whose member uploaded it: only that supplier may attach it.
    Saving the product copies a gallery upload into a ``ProductImage`` (the upload goes); an upload
    shown in a description stays and is tied to the product (``product``), which makes it public once
    the product is listed (``suppliers.media.product_upload``).
    """

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    image = models.ImageField(_("image"), upload_to=RandomName("uploads"))
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="description_images", verbose_name=_("product")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("product image upload")
        verbose_name_plural = _("product image uploads")
        indexes = [models.Index(fields=["image"], name="productupload_image_idx")]


class ComplianceDocument(models.Model):
    """Customs declaration / inspection certificate for imported goods (R3)."""

    class Kind(models.TextChoices):
        CUSTOMS_DECLARATION = "customs_declaration", _("Customs declaration")
        INSPECTION_CERTIFICATE = "inspection_certificate", _("Inspection and quarantine certificate")
        OTHER = "other", _("Other")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="compliance_documents", verbose_name=_("product"))
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=RandomName("compliance"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))


class SKU(models.Model):
    """A variant. ``available = on_hand - reserved`` never goes below zero (R10)."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="skus", verbose_name=_("supplier"))
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus", verbose_name=_("product"))
    code = models.CharField(_("SKU code"), max_length=64)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    supply_price_amount = models.DecimalField(_("supply price"), **MONEY_FIELD_KWARGS)
    suggested_retail_amount = models.DecimalField(_("suggested retail price"), **MONEY_FIELD_KWARGS)
    min_retail_amount = models.DecimalField(_("minimum retail price"), **MONEY_FIELD_KWARGS)
    max_retail_amount = models.DecimalField(_("maximum retail price"), **MONEY_FIELD_KWARGS)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    min_order_quantity = models.PositiveIntegerField(_("minimum quantity per order"), default=1)
    order_multiple = models.PositiveIntegerField(_("order in multiples of"), default=1)
    on_hand = models.IntegerField(_("stock on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))
    # GREATEST(updated_at, product.updated_at), kept by database triggers (migration suppliers/0006):
    # the API's product feed pages on it per supplier with an index (distribution/api/selectors.py).
    sync_at = models.DateTimeField(default=timezone.now, editable=False, verbose_name=_("sync at"))

    class Meta:
        ordering = ["product_id", "code"]
        indexes = [
            models.Index(fields=["supplier", "sync_at", "id"], name="suppliers_sku_sync"),
            models.Index(fields=["supplier", "id"], name="suppliers_sku_supplier_id"),
        ]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "code"], name="sku_code_unique_per_supplier"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="sku_on_hand_non_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="sku_reserved_non_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="sku_reserved_within_on_hand"),
            models.CheckConstraint(condition=Q(supply_price_amount__gt=0), name="sku_supply_price_positive"),
            models.CheckConstraint(condition=Q(min_order_quantity__gte=1) & Q(order_multiple__gte=1), name="sku_order_quantities_positive"),
            models.CheckConstraint(
                condition=Q(min_retail_amount__lte=F("suggested_retail_amount")) & Q(suggested_retail_amount__lte=F("max_retail_amount")),
                name="sku_suggested_within_range",
            ),
            models.CheckConstraint(condition=Q(supply_price_amount__lte=F("min_retail_amount")), name="sku_supply_within_min_retail"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockAdjustment(models.Model):
    sku = models.ForeignKey(SKU, on_delete=models.CASCADE, related_name="stock_adjustments", verbose_name=_("sku"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("actor"))
    # The tenant (distribution column, docs/scaling.md): the SKU's supplier. Left unset, the
    # database fills it from the SKU (suppliers 0007); the row goes with its SKU.
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_default=None)
    delta = models.IntegerField(_("change"))
    on_hand_after = models.IntegerField(_("on hand after"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["supplier", "sku", "created_at"], name="stock_adjustment_tenant_sku")]


class ImportJob(models.Model):
    """A bulk import of products/SKUs from CSV or XLSX, run by a Celery task; the page polls its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Failed")

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("supplier"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    file = models.FileField(_("file"), upload_to=RandomName("imports"))
    original_name = models.CharField(max_length=200, blank=True, verbose_name=_("original name"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_rows = models.PositiveIntegerField(default=0, verbose_name=_("total rows"))
    processed_rows = models.PositiveIntegerField(default=0, verbose_name=_("processed rows"))
    errors = models.JSONField(default=list, blank=True, help_text=_("[{row, column, message}]"), verbose_name=_("errors"))
    summary = models.JSONField(default=dict, blank=True, verbose_name=_("summary"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    # While running, the worker renews its lease (a heartbeat with every progress step); a running job
    # whose lease has passed lost its worker, and the ``import_jobs`` sweep resumes or fails it.
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("lease until"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
