"""Commercial terms beyond the cooperation terms: shipping templates (運費模板), quantity price
breaks (階梯價), per-reseller price overrides and product lines (產品線).

The rules and the arithmetic are in ``suppliers/terms.py``; placing reads all of it in its one
guard query (``suppliers.terms.guard_annotations``)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from distribution.core.money import MONEY_FIELD_KWARGS


class ShippingTemplate(models.Model):
    """How a supplier charges shipping: region groups priced by piece or by weight."""

    class Basis(models.TextChoices):
        PIECE = "piece", _("By piece")
        WEIGHT = "weight", _("By weight")

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="shipping_templates")
    name = models.CharField(_("name"), max_length=100)
    basis = models.CharField(_("charged"), max_length=8, choices=Basis.choices, default=Basis.PIECE)
    free_above_amount = models.DecimalField(_("free shipping from (goods amount)"), null=True, blank=True, **MONEY_FIELD_KWARGS)
    unserved_provinces = models.JSONField(_("regions not served (province codes)"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["supplier_id", "name", "id"]
        verbose_name = _("shipping template")
        verbose_name_plural = _("shipping templates")
        constraints = [models.UniqueConstraint(fields=["supplier", "name"], name="shipping_template_unique_name")]

    def __str__(self) -> str:
        return self.name


class ShippingRegionGroup(models.Model):
    """One group of provinces and its price: the first unit (piece or gram) and each additional one.

    A group without provinces covers every province no other group names (the rest of the
    country), unless the template lists it as not served."""

    template = models.ForeignKey(ShippingTemplate, on_delete=models.CASCADE, related_name="groups")
    provinces = models.JSONField(_("provinces (empty = everywhere else)"), default=list, blank=True)
    first_units = models.PositiveIntegerField(_("first pieces / grams"), default=1)
    first_fee = models.DecimalField(_("first fee"), default=Decimal("0"), **MONEY_FIELD_KWARGS)
    additional_units = models.PositiveIntegerField(_("each additional pieces / grams"), default=1)
    additional_fee = models.DecimalField(_("additional fee"), default=Decimal("0"), **MONEY_FIELD_KWARGS)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["template_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(first_units__gte=1) & Q(additional_units__gte=1), name="shipping_group_units_positive"),
            models.CheckConstraint(condition=Q(first_fee__gte=0) & Q(additional_fee__gte=0), name="shipping_group_fees_non_negative"),
        ]


class PriceBreak(models.Model):
    """A quantity price break (階梯價): from ``min_quantity`` units on one PO line, the supply price is ``unit_price``."""

    sku = models.ForeignKey("suppliers.SKU", on_delete=models.CASCADE, related_name="price_breaks")
    min_quantity = models.PositiveIntegerField(_("from quantity"))
    unit_price = models.DecimalField(_("supply price"), **MONEY_FIELD_KWARGS)

    class Meta:
        ordering = ["sku_id", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "min_quantity"], name="price_break_unique_quantity"),
            models.CheckConstraint(condition=Q(min_quantity__gte=2), name="price_break_quantity_from_two"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="price_break_price_positive"),
        ]


class PriceOverride(models.Model):
    """One reseller's own supply price for one SKU: wins over tiers and price breaks."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="price_overrides")
    sku = models.ForeignKey("suppliers.SKU", on_delete=models.CASCADE, related_name="price_overrides")
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="price_overrides")
    unit_price = models.DecimalField(_("supply price"), **MONEY_FIELD_KWARGS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku_id", "reseller_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "reseller"], name="price_override_unique"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="price_override_price_positive"),
        ]


class ProductLine(models.Model):
    """A set of products (產品線) that only the chosen tiers and resellers see; hidden from everyone else."""

    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="product_lines")
    name = models.CharField(_("name"), max_length=100)
    products = models.ManyToManyField("suppliers.Product", related_name="product_lines", blank=True, verbose_name=_("products"))
    tiers = models.ManyToManyField("suppliers.Tier", related_name="product_lines", blank=True, verbose_name=_("tiers"))
    resellers = models.ManyToManyField("resellers.Reseller", related_name="product_lines", blank=True, verbose_name=_("resellers"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["supplier_id", "name", "id"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        constraints = [models.UniqueConstraint(fields=["supplier", "name"], name="product_line_unique_name")]

    def __str__(self) -> str:
        return self.name
