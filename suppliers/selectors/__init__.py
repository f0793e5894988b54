"""Reads of the suppliers app, one module per area: ``catalog`` (re-exported here: the suppliers'
pages, the resellers' pages and the API share them) and ``partnerships`` (recruitment,
applications, partnerships, messages)."""

from . import partnerships  # noqa: F401
from .catalog import (  # noqa: F401
    LOW_STOCK_THRESHOLD,
    category_choices,
    export_rows,
    listing_history,
    product_counts,
    product_detail,
    product_list,
    stock_history,
    supplier_import_jobs,
    supplier_products,
    supply_price_for,
)
