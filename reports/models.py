"""Daily rollups for the reports (SPEC R13, R14, R17), the digest's deliveries and opt-outs.

Each rollup row is one day (the PO's **payment** date in Asia/Shanghai) for one supplier,
reseller and shop (and SKU for :class:`DailySkuSales`). Everything a PO later does (ship,
refund, dispute, commission) counts on the day it was paid, so a row is a pure function of
the POs paid that day: :mod:`reports.rollup` recomputes the rows a changed PO touches, and
``manage.py rebuild_report_rollups`` recomputes them all, with the same SQL.

The platform (staff) pages read three smaller tables added up from those rows, maintained by
the same sweep and rebuilt by the same command: :class:`PlatformDailySales` (one row a day),
:class:`PartyDailySales` (a day per supplier / per reseller) and :class:`PartyMonthlySales`
(a month per supplier / per reseller), so a year's top list adds up months, not days.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from distribution.core.money import MONEY_FIELD_KWARGS, ZERO


class DailySales(models.Model):
    """POs paid on ``day`` by one reseller's shop from one supplier."""

    day = models.DateField(_("day"))
    supplier_id = models.IntegerField()
    reseller_id = models.IntegerField()
    shop_id = models.IntegerField(default=0)  # 0: no shop recorded
    pos = models.PositiveIntegerField(_("purchase orders"), default=0)
    gmv = models.DecimalField(_("GMV"), default=ZERO, **MONEY_FIELD_KWARGS)
    goods = models.DecimalField(_("goods"), default=ZERO, **MONEY_FIELD_KWARGS)
    refunds = models.DecimalField(_("refunded"), default=ZERO, **MONEY_FIELD_KWARGS)
    refunded_pos = models.PositiveIntegerField(default=0)
    partially_refunded_pos = models.PositiveIntegerField(default=0)
    disputed_pos = models.PositiveIntegerField(default=0)
    shipped_pos = models.PositiveIntegerField(default=0)
    late_pos = models.PositiveIntegerField(default=0)
    ship_seconds = models.BigIntegerField(default=0)
    commission = models.DecimalField(_("commission"), default=ZERO, **MONEY_FIELD_KWARGS)
    # of these POs, those still held in escrow now (paid, shipped, disputed) and their total
    escrow_pos = models.PositiveIntegerField(default=0)
    escrow_amount = models.DecimalField(default=ZERO, **MONEY_FIELD_KWARGS)

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        constraints = [models.UniqueConstraint(fields=["supplier_id", "day", "reseller_id", "shop_id"], name="reports_daily_sales_key")]
        indexes = [
            models.Index(fields=["reseller_id", "day"], name="reports_sales_reseller_day"),
            # no index on ``day`` alone: every reader names the supplier or the reseller, and with one the
            # planner walked a month's rows of every supplier (30 ms) instead of the key's ~2,000 (EXPLAIN, 1M POs)
        ]


class DailySkuSales(models.Model):
    """Units and amounts of one SKU in the POs of a :class:`DailySales` row (fully refunded POs excluded)."""

    day = models.DateField(_("day"))
    supplier_id = models.IntegerField()
    reseller_id = models.IntegerField()
    shop_id = models.IntegerField(default=0)
    sku_id = models.IntegerField()
    units = models.PositiveIntegerField(_("units"), default=0)
    supply = models.DecimalField(_("supply"), default=ZERO, **MONEY_FIELD_KWARGS)
    retail = models.DecimalField(_("retail"), default=ZERO, **MONEY_FIELD_KWARGS)

    class Meta:
        verbose_name = _("daily SKU sales")
        verbose_name_plural = _("daily SKU sales")
        constraints = [
            models.UniqueConstraint(fields=["supplier_id", "day", "reseller_id", "shop_id", "sku_id"], name="reports_daily_sku_key")
        ]
        indexes = [models.Index(fields=["reseller_id", "day"], name="reports_sku_reseller_day")]


class _PlatformSums(models.Model):
    """The :class:`DailySales` sums the platform pages read (R17's staff reports)."""

    pos = models.PositiveIntegerField(_("purchase orders"), default=0)
    gmv = models.DecimalField(_("GMV"), default=ZERO, **MONEY_FIELD_KWARGS)
    refunds = models.DecimalField(_("refunded"), default=ZERO, **MONEY_FIELD_KWARGS)
    commission = models.DecimalField(_("commission"), default=ZERO, **MONEY_FIELD_KWARGS)
    escrow_pos = models.PositiveIntegerField(default=0)
    escrow_amount = models.DecimalField(default=ZERO, **MONEY_FIELD_KWARGS)

    class Meta:
        abstract = True


class PartyRole(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    RESELLER = "reseller", _("Reseller")


class PlatformDailySales(_PlatformSums):
    """Every supplier's :class:`DailySales` of one day added up: the platform's time series and escrow."""

    day = models.DateField(_("day"), unique=True)

    class Meta:
        verbose_name = _("platform daily sales")
        verbose_name_plural = _("platform daily sales")


class PartyDailySales(_PlatformSums):
    """One supplier's or one reseller's :class:`DailySales` of one day added up (the top lists' edges)."""

    role = models.CharField(max_length=8, choices=PartyRole.choices)
    day = models.DateField(_("day"))
    party_id = models.IntegerField()

    class Meta:
        verbose_name = _("daily sales per party")
        verbose_name_plural = _("daily sales per party")
        constraints = [models.UniqueConstraint(fields=["role", "day", "party_id"], name="reports_party_daily_key")]
        # the sweep adds up one party's days of a month
        indexes = [models.Index(fields=["role", "party_id", "day"], name="reports_party_daily_party")]


class PartyMonthlySales(_PlatformSums):
    """:class:`PartyDailySales` of one calendar month (``month``: its first day) added up (the top lists)."""

    role = models.CharField(max_length=8, choices=PartyRole.choices)
    month = models.DateField(_("month"))
    party_id = models.IntegerField()

    class Meta:
        verbose_name = _("monthly sales per party")
        verbose_name_plural = _("monthly sales per party")
        constraints = [models.UniqueConstraint(fields=["role", "month", "party_id"], name="reports_party_monthly_key")]


class MonthlySales(models.Model):
    """One supplier's :class:`DailySales` (and :class:`DailySkuSales` units and amounts) with one
    reseller in one calendar month (``month``: its first day), the shops added up: the sales-by-
    reseller / by-supplier pages add up the whole months of a period here and only the days at
    either end from the daily rows."""

    month = models.DateField(_("month"))
    supplier_id = models.IntegerField()
    reseller_id = models.IntegerField()
    pos = models.PositiveIntegerField(_("purchase orders"), default=0)
    gmv = models.DecimalField(_("GMV"), default=ZERO, **MONEY_FIELD_KWARGS)
    refunds = models.DecimalField(_("refunded"), default=ZERO, **MONEY_FIELD_KWARGS)
    commission = models.DecimalField(_("commission"), default=ZERO, **MONEY_FIELD_KWARGS)
    units = models.PositiveIntegerField(_("units"), default=0)
    supply = models.DecimalField(_("supply"), default=ZERO, **MONEY_FIELD_KWARGS)
    retail = models.DecimalField(_("retail"), default=ZERO, **MONEY_FIELD_KWARGS)

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        constraints = [models.UniqueConstraint(fields=["supplier_id", "month", "reseller_id"], name="reports_monthly_sales_key")]
        indexes = [models.Index(fields=["reseller_id", "month"], name="reports_monthly_reseller")]


class RollupCursor(models.Model):
    """How far the incremental sweep has read the changed POs (``updated_at``, ``id``)."""

    name = models.CharField(max_length=40, unique=True)
    updated_at = models.DateTimeField(null=True)
    last_id = models.BigIntegerField(default=0)


class DigestDelivery(models.Model):
    """One weekly channel digest sent to one member (R17): the unique row that makes sending idempotent."""

    week_start = models.DateField(_("week starting"))
    membership = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    key_accounts_only = models.BooleanField(default=False)
    content = models.JSONField(default=dict)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-week_start", "-id"]
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        constraints = [models.UniqueConstraint(fields=["week_start", "membership"], name="reports_digest_once_per_week")]


class DigestOptOut(models.Model):
    """A member who does not want the weekly digest by email."""

    membership = models.OneToOneField("accounts.Membership", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weekly digest opt-out")
        verbose_name_plural = _("weekly digest opt-outs")
