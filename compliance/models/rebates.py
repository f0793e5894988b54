"""Monthly rebate rules and the rebates they propose (R17)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from distribution.core.money import MONEY_FIELD_KWARGS


class RebateRule(models.Model):
    """Each month: ``percent`` of a reseller's completed PO value with this supplier above ``threshold_amount``."""

    supplier = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="rebate_rules", verbose_name=_("supplier"))
    reseller = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to apply to every partnered reseller."),
        verbose_name=_("reseller"),
    )
    name = models.CharField(_("name"), max_length=120)
    percent = models.DecimalField(
        _("rebate %"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("50"))]
    )
    threshold_amount = models.DecimalField(_("threshold"), default=Decimal("0.00"), **MONEY_FIELD_KWARGS)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        db_table = "disputes_rebaterule"
        ordering = ["supplier_id", "name", "id"]
        verbose_name = _("rebate rule")
        verbose_name_plural = _("rebate rules")
        constraints = [
            models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=50), name="rebate_percent_range"),
            models.CheckConstraint(condition=Q(threshold_amount__gte=0), name="rebate_threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.percent}%)"


class ProposedRebate(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PAID = "paid", _("Paid")
        DISMISSED = "dismissed", _("Dismissed")

    rule = models.ForeignKey(RebateRule, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("rule"))
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="proposed_rebates", verbose_name=_("supplier")
    )
    reseller = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("reseller"))
    month_on = models.DateField(_("month"))
    base_amount = models.DecimalField(_("completed PO value"), **MONEY_FIELD_KWARGS)
    amount = models.DecimalField(_("rebate"), **MONEY_FIELD_KWARGS)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    reward = models.OneToOneField(
        "settlement.Reward", on_delete=models.PROTECT, null=True, blank=True, related_name="rebate", verbose_name=_("reward")
    )

    class Meta:
        db_table = "disputes_proposedrebate"
        ordering = ["-month_on", "id"]
        verbose_name = _("proposed rebate")
        verbose_name_plural = _("proposed rebates")
        constraints = [
            models.UniqueConstraint(fields=["rule", "reseller", "month_on"], name="one_rebate_per_rule_reseller_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="rebate_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month_on:%Y-%m} {self.reseller}: {self.amount}"
