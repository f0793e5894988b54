"""Suppliers own: their company profile, catalog (categories, products, SKUs, stock),
tiers and cooperation terms, recruitment posts, applications and partnerships."""

from .catalog import (
    SKU,
    Category,
    ComplianceDocument,
    ImportJob,
    Product,
    ProductImage,
    StockAdjustment,
)
from .partnerships import (
    CooperationTerms,
    Partnership,
    PartnershipApplication,
    RecruitmentPost,
    Tier,
)
from .profile import ChannelType, Supplier

__all__ = [
    "SKU",
    "Category",
    "ChannelType",
    "ComplianceDocument",
    "CooperationTerms",
    "ImportJob",
    "Partnership",
    "PartnershipApplication",
    "Product",
    "ProductImage",
    "RecruitmentPost",
    "StockAdjustment",
    "Supplier",
    "Tier",
]
