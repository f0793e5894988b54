"""``{{ amount|money }}``: an amount with two decimals and the reader's thousands separators (``12,345.60``).

A builtin (settings.TEMPLATES), so every template may use it without ``{% load %}``. Empty
values stay empty; anything that is not a number is shown as it is.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter(is_safe=True)
def money(value) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


@register.filter(is_safe=True)
def count(value) -> str:
    """A whole number with thousands separators (``26,500``)."""
    if value is None or value == "":
        return ""
    try:
        return number_format(int(value), 0, use_l10n=True, force_grouping=True)
    except (TypeError, ValueError):
        return value
