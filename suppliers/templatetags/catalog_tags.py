"""Template tags for the catalog's dashboard widget."""

from __future__ import annotations

from django import template

from suppliers.models import Product
from suppliers.selectors import product_counts

register = template.Library()


@register.simple_tag
def catalog_summary(supplier) -> dict[str, int]:
    """Product counts per status and what needs action (two queries)."""
    return product_counts(supplier.pk)


@register.simple_tag
def catalog_chart(counts: dict[str, int]) -> dict[str, list]:
    """Products per status for the dashboard chart (``json_script`` data; no query: reuses the summary)."""
    return {
        "labels": [str(label) for _value, label in Product.Status.choices],
        "values": [counts.get(value, 0) for value in Product.Status.values],
    }
