"""Template tags for other apps' pages (e.g. the home dashboard's wallet card)."""

from __future__ import annotations

from django import template

from settlement.selectors import WalletSummary, wallet_summary

register = template.Library()


@register.simple_tag
def wallet_summary_for(organisation) -> WalletSummary | None:
    """``{% wallet_summary_for organisation as summary %}`` (five small queries)."""
    if not organisation:
        return None
    return wallet_summary(organisation)
