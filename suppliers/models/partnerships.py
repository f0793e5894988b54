"""Tiers, cooperation terms, recruitment posts (招募書), applications and partnerships (R4–R6)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from distribution.core.money import MONEY_FIELD_KWARGS


class Tier(models.Model):
    """A reseller tier (e.g. 普通 / 銀牌 / 金牌): a discount on supply price."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="tiers", verbose_name=_("supplier"))
    name = models.CharField(_("name"), max_length=50)
    discount_percent = models.DecimalField(
        _("discount on supply price (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("90"))],
    )
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["supplier_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "name"], name="tier_unique_name_per_supplier"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=90), name="tier_discount_range"),
        ]

    def __str__(self) -> str:
        return self.name


class CooperationTerms(models.Model):
    supplier = models.OneToOneField("suppliers.Supplier", on_delete=models.CASCADE, related_name="terms", verbose_name=_("supplier"))
    text = models.TextField(_("terms"), blank=True)
    accepted_channel_types = models.JSONField(_("accepted channel types"), default=list, blank=True)
    minimum_order_amount = models.DecimalField(_("minimum order"), default=Decimal("0"), **MONEY_FIELD_KWARGS)
    shipping_fee_amount = models.DecimalField(_("shipping fee per order"), default=Decimal("0"), **MONEY_FIELD_KWARGS)
    shipping_regions = models.JSONField(_("shipping regions (province codes; empty = all)"), default=list, blank=True)
    return_policy = models.TextField(_("return policy"), blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    shipping_template = models.ForeignKey(
        "suppliers.ShippingTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="used_by_terms",
        verbose_name=_("shipping template"), help_text=_("When set, shipping is computed from it instead of the fee per order."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("cooperation terms")
        verbose_name_plural = _("cooperation terms")


class RecruitmentPost(models.Model):
    supplier = models.ForeignKey(
        "suppliers.Supplier", on_delete=models.CASCADE, related_name="recruitment_posts", verbose_name=_("supplier")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    accepted_channel_types = models.JSONField(_("accepted channel types"), default=list, blank=True)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier offered"))
    is_open = models.BooleanField(_("open"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recruitment post")
        verbose_name_plural = _("recruitment posts")

    def __str__(self) -> str:
        return self.title

    def accepts(self, channel_type: str) -> bool:
        """An empty list accepts every channel type."""
        return not self.accepted_channel_types or channel_type in self.accepted_channel_types


class PartnershipApplication(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="applications", verbose_name=_("supplier"))
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="applications", verbose_name=_("reseller"))
    post = models.ForeignKey(
        RecruitmentPost, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications", verbose_name=_("post")
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("applicant")
    )
    partnership = models.ForeignKey(
        "suppliers.Partnership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("partnership"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("partnership application")
        verbose_name_plural = _("partnership applications")
        constraints = [
            models.UniqueConstraint(fields=["supplier", "reseller"], condition=Q(status="pending"), name="one_pending_application_per_pair")
        ]


class PartnershipQuerySet(models.QuerySet):
    """The two meanings of "a live partnership", named (R5, R6, R11).

    ``live(now)`` is the rule: the two sides trade (orders, supply prices, feeds, rewards)
    while the partnership is active or in its notice period and ``ends_at`` has not come.
    ``not_terminated()`` is what the database's one-per-pair constraint counts: a row not
    yet ended by a service (a notice period past ``ends_at`` still counts until the
    ``end_partnerships`` sweep ends it), so it answers "may a new partnership be created?".
    """

    def live(self, now: datetime | None = None) -> PartnershipQuerySet:
        now = now or timezone.now()
        return self.filter(Q(status=Partnership.Status.ACTIVE) | Q(status=Partnership.Status.TERMINATION_PENDING, ends_at__gt=now))

    def not_terminated(self) -> PartnershipQuerySet:
        return self.exclude(status=Partnership.Status.TERMINATED)


class Partnership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TERMINATION_PENDING = "termination_pending", _("Termination pending")
        TERMINATED = "terminated", _("Terminated")

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("supplier"))
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("reseller"))
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("tier"))
    key_account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("key account manager")
    )
    # Not ``protected``: factories and other apps' tests set it directly; services only use the transitions.
    status = FSMField(_("status"), max_length=24, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    started_at = models.DateTimeField(_("started at"))
    notice_given_at = models.DateTimeField(null=True, blank=True, verbose_name=_("notice given at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True, db_index=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    terminated_by = models.CharField(max_length=16, blank=True, verbose_name=_("terminated by"))  # "supplier" / "reseller" / "staff"
    terminated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terminated at"))
    last_feed_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "reseller"],
                condition=~Q(status="terminated"),
                name="one_live_partnership_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} ↔ {self.reseller}"

    # Transitions hold only guards and field assignments; services call them under a row lock.
    @transition(field=status, source=Status.ACTIVE, target=Status.TERMINATION_PENDING)
    def give_notice(self, *, reason: str, ends_at, now) -> None:
        self.termination_reason = reason
        self.notice_given_at = now
        self.ends_at = ends_at
        self.terminated_by = "supplier"

    @transition(field=status, source=Status.TERMINATION_PENDING, target=Status.ACTIVE)
    def withdraw_notice(self) -> None:
        self.termination_reason = ""
        self.notice_given_at = None
        self.ends_at = None
        self.terminated_by = ""

    @transition(field=status, source=[Status.ACTIVE, Status.TERMINATION_PENDING], target=Status.TERMINATED)
    def terminate(self, *, by: str, reason: str, now) -> None:
        self.terminated_by = by
        if reason:
            self.termination_reason = reason
        self.terminated_at = now
        if self.ends_at is None or self.ends_at > now:
            self.ends_at = now
