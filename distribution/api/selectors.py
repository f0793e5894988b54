"""Reads behind the API lists, each scoped to the asking organisation.

Every queryset here filters by the organisation of the key, so another
organisation's object is simply not found (404), never forbidden.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import LISTING_SANCTIONS, Penalty
from distribution.core.divisions import name_of
from distribution.core.money import format_money
from resellers.search import visible_suppliers
from suppliers.models import SKU, Partnership, Product, ProductImage
from suppliers.terms import price_annotations, reseller_price_of, skus_visible_to

from .pagination import decode_cursor, encode_cursor
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

    ``supplier_visible`` is False while the supplier is hidden from the resellers' catalog
    (``resellers.search.visible_suppliers``).
    """
    now = now or timezone.now()
    partnerships = reseller_partnerships(organisation_id, now)
    qs = SKU.objects.filter(
        supplier_id__in=partnerships.values("supplier_id"),
        product__status__in=SYNCED_PRODUCT_STATES,
    )
    if supplier_id is not None:
        qs = qs.filter(supplier_id=supplier_id)
    qs = skus_visible_to(qs, organisation_id, now)  # product lines (suppliers.terms)
    return qs.annotate(
        tier_discount=Subquery(
            partnerships.filter(supplier_id=OuterRef("supplier_id")).values("tier__discount_percent")[:1], output_field=DecimalField()
        ),
        supplier_visible=ExpressionWrapper(Q(supplier_id__in=visible_suppliers(now).values("pk")), output_field=BooleanField()),
    )


def partnership_floors(organisation_id: int, *, supplier_id: int | None = None, now: datetime) -> list[tuple[int, datetime]]:
    """Per live partnership: (supplier id, the latest change of the partnership (tier), the supplier
    (e.g. suspended or re-activated) or a listing-sanction penalty of it (recorded, started, ended,
    revoked — as of ``now``)). A SKU's ``updated_at`` in the feed is GREATEST(its ``sync_at``, this)."""
    qs = reseller_partnerships(organisation_id, now)
    if supplier_id is not None:
        qs = qs.filter(supplier_id=supplier_id)
    qs = qs.annotate(visibility_changed_at=listing_visibility_changed_at(now)).annotate(
        floor=Greatest("updated_at", "supplier__updated_at", "visibility_changed_at")
    )
    return list(qs.order_by("supplier_id").values_list("supplier_id", "floor"))


def reseller_sku_page(
    organisation_id: int,
    *,
    supplier_id: int | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int,
    now: datetime | None = None,
) -> tuple[list[SKU], str | None]:
    """One page of ``reseller_skus`` in ``(updated_at, id)`` order and the next cursor.

    ``updated_at`` = GREATEST(``SKU.sync_at`` (the SKU and its product, stored and indexed),
    the partnership's floor (``partnership_floors``)). Per partnership the SKUs split in two
    ranges that each follow an index: those not changed since the floor (all at the floor's
    time, in id order: index ``(supplier_id, id)``) and those changed after it (in
    ``sync_at`` order: index ``(supplier_id, sync_at, id)``). Each range gives at most one
    page, and a UNION ALL of them, ordered and cut, is the page: no GREATEST over joined
    tables is sorted, whatever the number of SKUs.
    """
    now = now or timezone.now()
    after = decode_cursor(cursor) if cursor else None
    base = skus_visible_to(SKU.objects.filter(product__status__in=SYNCED_PRODUCT_STATES), organisation_id, now)  # product lines
    parts = []
    for sid, floor in partnership_floors(organisation_id, supplier_id=supplier_id, now=now):
        # not changed since the floor: all at the floor's time
        if (updated_since is None or floor >= updated_since) and (after is None or floor >= after[0]):
            older = base.filter(supplier_id=sid, sync_at__lte=floor)
            if after is not None and floor == after[0]:
                older = older.filter(pk__gt=after[1])
            older = older.annotate(key=Value(floor, output_field=DateTimeField()))
            parts.append(older.order_by("pk").values_list("pk", "key")[: limit + 1])
        newer = base.filter(supplier_id=sid, sync_at__gt=floor)
        if updated_since is not None:
            newer = newer.filter(sync_at__gte=updated_since)
        if after is not None:
            newer = newer.filter(Q(sync_at__gt=after[0]) | Q(sync_at=after[0], pk__gt=after[1]))
        parts.append(newer.annotate(key=F("sync_at")).order_by("sync_at", "pk").values_list("pk", "key")[: limit + 1])
    if not parts:
        return [], None
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys = list(union.order_by("key", "pk")[: limit + 1]) if len(parts) > 1 else list(union)
    keys.sort(key=lambda pair: (pair[1], pair[0]))
    next_cursor = None
    if len(keys) > limit:
        keys = keys[:limit]
        next_cursor = encode_cursor(keys[-1][1], keys[-1][0])
    found = with_product_details(reseller_skus(organisation_id, now=now).annotate(**price_annotations(organisation_id))).in_bulk(
        [pk for pk, _ in keys]
    )
    rows = []
    for pk, key in keys:
        sku = found.get(pk)
        if sku is not None:
            sku.feed_updated_at = key
            rows.append(sku)
    return rows, next_cursor


def reseller_sku(organisation_id: int, sku_id: int, *, now: datetime | None = None) -> SKU | None:
    """One SKU of ``reseller_skus`` with the same ``updated_at`` and prices as in the feed (``feed_updated_at``)."""
    now = now or timezone.now()
    skus = reseller_skus(organisation_id, now=now).annotate(**price_annotations(organisation_id))
    sku = with_product_details(skus).filter(pk=sku_id).first()
    if sku is None:
        return None
    floors = dict(partnership_floors(organisation_id, supplier_id=sku.supplier_id, now=now))
    floor = floors.get(sku.supplier_id)
    sku.feed_updated_at = max(sku.sync_at, floor) if floor is not None else sku.sync_at
    return sku


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
    price = reseller_price_of(sku, supply_price=sku.supply_price_amount, discount=sku.tier_discount)
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
        "supply_price": format_money(price.unit),
        "price_breaks": [{"min_quantity": quantity, "supply_price": format_money(unit)} for quantity, unit in price.breaks],
        "min_order_quantity": sku.min_order_quantity,
        "order_multiple": sku.order_multiple,
        "suggested_retail_price": format_money(sku.suggested_retail_amount),
        "min_retail_price": format_money(sku.min_retail_amount),
        "max_retail_price": format_money(sku.max_retail_amount),
        "available": max(sku.available, 0),
        "status": product_status(sku),
        "updated_at": iso(sku.feed_updated_at),
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
