"""Template tags for the catalog's dashboard widget."""

from __future__ import annotations

from django import template

from suppliers.selectors import product_counts

register = template.Library()


@register.simple_tag
def catalog_summary(supplier) -> dict[str, int]:
    """Product counts per status and what needs action (two queries)."""
    return product_counts(supplier.pk)
