"""Writes for suppliers, one module per topic; re-exported here."""

from . import commercial, messaging, partnerships  # noqa: F401
from .catalog import (  # noqa: F401
    BelowReserved,
    NegativeStock,
    ProductChanges,
    SKUInput,
    missing_compliance_documents,
    product_approve,
    product_create,
    product_delist,
    product_reject,
    product_submit,
    product_update,
    product_upload_create,
    sku_adjust_stock,
    sku_return_to_stock,
    sku_set_stock,
    sku_set_stock_many,
    sku_update,
)
from .imports import import_job_create, import_job_recover, import_job_run  # noqa: F401
from .tiers import cooperation_terms_save, tier_create, tier_delete, tier_update  # noqa: F401
