"""Reads behind the API lists, each scoped to the asking organisation.

Every queryset here filters by the organisation of the key, so another
organisation's object is simply not found (404), never forbidden.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, DecimalField, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import LISTING_SANCTIONS, Penalty
from distribution.core.divisions import name_of
from distribution.core.money import format_money
from resellers.search import visible_suppliers
from suppliers.models import SKU, Partnership, Product, ProductImage
from suppliers.pricing import tier_supply_price

from .serializers import iso

SYNCED_PRODUCT_STATES = [Product.Status.LISTED, Product.Status.DELISTED]


def reseller_partnerships(organisation_id: int, now: datetime | None = None) -> QuerySet[Partnership]:
    return Partnership.objects.live(now).filter(reseller_id=organisation_id)


def listing_visibility_changed_at(now: datetime) -> Subquery:
    """When the listing visibility of ``OuterRef("supplier_id")`` last changed through a penalty.

    The latest moment, not after ``now``, at which a listing-sanction penalty of the
    supplier was recorded, started, ended or was revoked (PostgreSQL's GREATEST skips NULLs;
    no such penalty gives NULL).
    """
    moments = Penalty.objects.filter(
        organisation_id=OuterRef("supplier_id"), sanction__in=list(LISTING_SANCTIONS), created_at__lte=now
    ).annotate(
        changed_at=Greatest(
            "created_at",
            Case(When(starts_at__lte=now, then=F("starts_at"))),
            Case(When(ends_at__lte=now, then=F("ends_at"))),
            Case(When(revoked_at__lte=now, then=F("revoked_at"))),
        )
    )
    return Subquery(moments.order_by(F("changed_at").desc(nulls_last=True)).values("changed_at")[:1])


def reseller_skus(organisation_id: int, *, supplier_id: int | None = None, now: datetime | None = None) -> QuerySet[SKU]:
    """SKUs of this reseller's live partnerships' listed (or since delisted) products.

    ``sync_at`` is the latest change of the SKU, its product, the partnership (tier),
    the supplier (e.g. suspended or re-activated) or a listing-sanction penalty of the
    supplier (recorded, started, ended, revoked), so a change to any of them brings the SKU
    back into an incremental sync. ``supplier_visible`` is False while the supplier is hidden
    from the resellers' catalog (``resellers.search.visible_suppliers``).
    """
    now = now or timezone.now()
    partnerships = reseller_partnerships(organisation_id, now)
    of_supplier = partnerships.filter(supplier_id=OuterRef("supplier_id"))
    qs = SKU.objects.filter(
        supplier_id__in=partnerships.values("supplier_id"),
        product__status__in=SYNCED_PRODUCT_STATES,
    )
    if supplier_id is not None:
        qs = qs.filter(supplier_id=supplier_id)
    return qs.annotate(
        tier_discount=Subquery(of_supplier.values("tier__discount_percent")[:1], output_field=DecimalField()),
        partnership_updated_at=Subquery(of_supplier.values("updated_at")[:1]),
        visibility_changed_at=listing_visibility_changed_at(now),
        supplier_visible=ExpressionWrapper(Q(supplier_id__in=visible_suppliers(now).values("pk")), output_field=BooleanField()),
    ).annotate(
        sync_at=Greatest("updated_at", "product__updated_at", "partnership_updated_at", "supplier__updated_at", "visibility_changed_at")
    )


def with_product_details(qs: QuerySet[SKU]) -> QuerySet[SKU]:
    return qs.select_related("product", "product__category", "supplier").prefetch_related(
        Prefetch("product__images", queryset=ProductImage.objects.filter(approved=True), to_attr="approved_images")
    )


def product_status(sku: SKU) -> str:
    """``delisted`` also while the supplier is hidden (suspended, or a listing sanction in force)."""
    listed = sku.product.status == Product.Status.LISTED and sku.is_active and getattr(sku, "supplier_visible", True)
    return "listed" if listed else "delisted"


def product_dict(sku: SKU, request: HttpRequest) -> dict[str, Any]:
    product = sku.product
    discount = sku.tier_discount if sku.tier_discount is not None else Decimal("0")
    return {
        "sku_id": sku.pk,
        "code": sku.code,
        "product_id": product.pk,
        "title": product.approved_title or product.title,
        "attributes": sku.attributes or {},
        "supplier": {"id": sku.supplier_id, "name": sku.supplier.company_name},
        "category": product.category.name,
        "location": {
            "province": name_of(product.province_code),
            "city": name_of(product.city_code),
            "province_code": product.province_code,
            "city_code": product.city_code,
        },
        "images": [request.build_absolute_uri(img.image.url) for img in product.approved_images if img.image],
        "supply_price": format_money(tier_supply_price(sku.supply_price_amount, discount)),
        "suggested_retail_price": format_money(sku.suggested_retail_amount),
        "min_retail_price": format_money(sku.min_retail_amount),
        "max_retail_price": format_money(sku.max_retail_amount),
        "available": max(sku.available, 0),
        "status": product_status(sku),
        "updated_at": iso(sku.sync_at),
    }


def supplier_skus(organisation_id: int) -> QuerySet[SKU]:
    return SKU.objects.filter(supplier_id=organisation_id).select_related("product")


def supplier_sku_dict(sku: SKU) -> dict[str, Any]:
    return {
        "sku_id": sku.pk,
        "code": sku.code,
        "product_id": sku.product_id,
        "title": sku.product.title,
        "attributes": sku.attributes or {},
        "on_hand": sku.on_hand,
        "reserved": sku.reserved,
        "available": sku.available,
        "supply_price": format_money(sku.supply_price_amount),
        "suggested_retail_price": format_money(sku.suggested_retail_amount),
        "min_retail_price": format_money(sku.min_retail_amount),
        "max_retail_price": format_money(sku.max_retail_amount),
        "is_active": sku.is_active,
        "updated_at": iso(sku.updated_at),
    }
