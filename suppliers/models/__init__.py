"""Suppliers own: their company profile, catalog (categories, products, SKUs, stock),
tiers and cooperation terms, recruitment posts, applications and partnerships."""

from .catalog import (
    SKU,
    Category,
    ComplianceDocument,
    ImportJob,
    Product,
    ProductImage,
    ProductUpload,
    StockAdjustment,
)
from .messaging import Message, MessageAttachment, MessageThread, Side
from .partnerships import (
    CooperationTerms,
    Partnership,
    PartnershipApplication,
    RecruitmentPost,
    Tier,
)
from .profile import ChannelType, Supplier
from .terms import PriceBreak, PriceOverride, ProductLine, ShippingRegionGroup, ShippingTemplate

__all__ = [
    "SKU",
    "Category",
    "ChannelType",
    "ComplianceDocument",
    "CooperationTerms",
    "ImportJob",
    "Message",
    "MessageAttachment",
    "MessageThread",
    "Partnership",
    "PriceBreak",
    "PriceOverride",
    "ProductLine",
    "PartnershipApplication",
    "Product",
    "ProductImage",
    "ProductUpload",
    "RecruitmentPost",
    "ShippingRegionGroup",
    "ShippingTemplate",
    "Side",
    "StockAdjustment",
    "Supplier",
    "Tier",
]
