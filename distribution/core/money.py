"""Money: CNY amounts as ``Decimal`` with two places, rounded in one place only."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "CNY"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

MONEY_FIELD_KWARGS = {"max_digits": 14, "decimal_places": 2}


def money(value: Decimal | int | str) -> Decimal:
    """Return ``value`` as a Decimal rounded half-up to the fen. Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money() does not accept float; pass a Decimal, int or str")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(value: Decimal) -> int:
    return int(money(value) * 100)


def from_fen(fen: int) -> Decimal:
    return money(Decimal(fen) / 100)


def format_money(value: Decimal) -> str:
    """``"128.00"``: the API's string form."""
    return f"{money(value):.2f}"
