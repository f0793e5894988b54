"""Prices a reseller pays: the SKU's supply price less its tier's discount."""

from __future__ import annotations

from decimal import Decimal

from distribution.core.money import money


def tier_supply_price(supply_price_amount: Decimal, discount_percent: Decimal) -> Decimal:
    """Supply price for a tier, rounded half-up to the fen."""
    return money(supply_price_amount * (Decimal(100) - discount_percent) / Decimal(100))
