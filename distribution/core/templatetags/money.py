"""``{{ amount|money }}``, ``{{ n|count }}``, ``{{ delta|duration }}``: numbers for the reader.

A builtin (settings.TEMPLATES), so every template may use it without ``{% load %}``. Empty
values stay empty; anything that is not a number is shown as it is.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from distribution.core.durations import humanize_duration

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


@register.filter
def duration(value) -> str:
    """A ``timedelta`` in words of the reader's language (``6 天，23 小時``)."""
    return humanize_duration(value) if value is not None else ""
