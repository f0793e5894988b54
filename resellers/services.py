"""Writes for resellers: the store list (下載並發布) and its reaction to supplier changes.

The three ``store_list_on_*`` hooks are called by the suppliers' services inside
their transactions when something a published entry depends on changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def store_list_on_sku_changed(*, sku: Any, changes: set[str], now: datetime | None = None) -> None:
    """A SKU's price range, supply price or stock changed (``changes`` names which)."""


def store_list_on_product_delisted(*, product: Any, now: datetime | None = None) -> None:
    """A product was delisted: its entries are unpublished."""


def store_list_on_partnership_ended(*, partnership: Any, now: datetime | None = None) -> None:
    """A partnership ended: the reseller's entries of that supplier are unpublished."""
