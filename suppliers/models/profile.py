"""The supplier's company profile (R2)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from distribution.core.validators import validate_credit_code


class ChannelType(models.TextChoices):
    """The kinds of shop a reseller runs (source: 淘寶/拍拍C店, 商城店, B2C平台, 自建網店, 線下批發)."""

    C_STORE = "c_store", _("Taobao/Paipai C-store")
    MALL_STORE = "mall_store", _("Tmall/mall store")
    B2C_PLATFORM = "b2c_platform", _("Independent B2C platform")
    OWN_WEB_SHOP = "own_web_shop", _("Own web shop")
    OFFLINE_WHOLESALE = "offline_wholesale", _("Offline wholesale")


class Supplier(models.Model):
    # What the owner or a manager edits after signup (accounts.profile); the legal ones wait for
    # staff review (R2) in a ``ProfileChange``, the rest apply at once.
    PROFILE_FIELDS = ("company_name", "credit_code", "contact_name", "phone", "address", "description")
    LEGAL_FIELDS = ("company_name", "credit_code")
    NAME_FIELD = "company_name"

    class Status(models.TextChoices):
        PENDING_REVIEW = "pending_review", _("Pending review")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REJECTED = "rejected", _("Rejected")

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="supplier", verbose_name=_("organisation")
    )
    company_name = models.CharField(_("company name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30)
    address = models.CharField(_("address"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_REVIEW, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    commission_rate = models.DecimalField(
        _("platform commission rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.5"))],
        help_text=_("Share of each released payment kept by the platform, e.g. 0.0500 for 5%."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["company_name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_rate__gte=0) & Q(commission_rate__lte=Decimal("0.5")),
                name="supplier_commission_rate_range",
            )
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def pk_id(self) -> int:
        return self.organisation_id

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
