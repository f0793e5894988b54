"""Markup rules for bulk publishing: a retail price computed from a SKU's prices.

Rules: the supplier's suggested retail price, or the reseller's supply price times a
factor rounded to the whole yuan or to the nearest price ending in .90; either way
clamped into the SKU's allowed range (R7), so a computed price is always publishable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from distribution.core.money import money


class MarkupRule(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested retail price")
    FACTOR_YUAN = "factor_yuan", _("Supply price × factor, rounded to the yuan")
    FACTOR_90 = "factor_90", _("Supply price × factor, ending in .90")


DEFAULT_FACTOR = Decimal("1.30")


@dataclass(frozen=True)
class MarkupResult:
    price: Decimal
    clamped: bool


def round_to_90(value: Decimal) -> Decimal:
    """The nearest price ending in .90 (ties go up): 84.50 → 84.90, 84.30 → 83.90."""
    base = value.quantize(Decimal("1"), rounding=ROUND_FLOOR)
    candidates = [base - 1 + Decimal("0.90"), base + Decimal("0.90")]
    best = min(candidates, key=lambda c: (abs(c - value), -c))
    return money(max(best, Decimal("0.90")))


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return min(max(value, low), high)


def apply_markup(
    *, rule: str, supply_price: Decimal, suggested: Decimal, min_retail: Decimal, max_retail: Decimal, factor: Decimal = DEFAULT_FACTOR
) -> MarkupResult:
    """The retail price ``rule`` gives, clamped into [min_retail, max_retail]."""
    if rule == MarkupRule.SUGGESTED:
        raw = suggested
    elif rule == MarkupRule.FACTOR_YUAN:
        raw = (supply_price * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    elif rule == MarkupRule.FACTOR_90:
        raw = round_to_90(supply_price * factor)
    else:
        raise ValueError(f"unknown markup rule {rule!r}")
    price = money(clamp(money(raw), min_retail, max_retail))
    return MarkupResult(price=price, clamped=price != money(raw))
