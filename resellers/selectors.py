"""Reads shared by the resellers' views, feeds and services.

Every read that returns a reseller's data filters by that reseller; a caller never
gets another organisation's rows (views answer 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.models import SKU, Partnership, Product, ProductImage, Supplier
from suppliers.terms import ResellerPrice, hidden_product_ids, price_annotations, reseller_price_of

from .models import InspectionFinding, Reseller, StoreListing
from .search import display_description, display_title, visible_suppliers


def partnerships_by_supplier(reseller: Reseller) -> dict[int, Partnership]:
    """The reseller's live partnerships keyed by supplier id (one query)."""
    return {p.supplier_id: p for p in Partnership.objects.live().filter(reseller=reseller).select_related("tier")}


def reseller_price_for(sku: SKU, partnership: Partnership | None, *, priced: Any = None) -> ResellerPrice | None:
    """What the reseller pays for ``sku``: its own price, else its tier's, and the price breaks, as a PO line would
    charge (``suppliers.terms.reseller_price``); None when not partnered. ``priced`` is the row carrying
    ``suppliers.terms.price_annotations`` (default: ``sku`` itself)."""
    if partnership is None:
        return None
    row = sku if priced is None else priced
    return reseller_price_of(row, supply_price=sku.supply_price_amount, discount=partnership.tier.discount_percent)


def supply_price_for(sku: SKU, partnership: Partnership | None, *, priced: Any = None) -> Decimal | None:
    """The reseller's supply price for one piece of ``sku`` (``reseller_price_for``), or None when not partnered."""
    price = reseller_price_for(sku, partnership, priced=priced)
    return price.unit if price is not None else None


def approved_images() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.filter(approved=True).order_by("position", "id"), to_attr="shown_images")


def catalog_product(*, product_id: int, reseller: Reseller | None = None) -> Product:
    """A listed product of an active supplier that no product line hides from ``reseller`` (else 404),
    with its SKUs and approved images."""
    qs = (
        Product.objects.filter(status=Product.Status.LISTED, supplier__in=visible_suppliers())
        .exclude(pk__in=hidden_product_ids(getattr(reseller, "pk", None), timezone.now()))
        .select_related("supplier", "category", "supplier__terms")
        .annotate(shown_title=display_title(), shown_description=display_description())
        .prefetch_related(
            Prefetch(
                "skus",
                queryset=SKU.objects.filter(is_active=True).annotate(**price_annotations(getattr(reseller, "pk", None))).order_by("code"),
            ),
            approved_images(),
        )
    )
    return get_object_or_404(qs, pk=product_id)


def catalog_supplier(*, supplier_id: int) -> Supplier:
    return get_object_or_404(visible_suppliers().select_related("organisation"), pk=supplier_id)


def duration_label(value: timedelta | None) -> str:
    """``45 min`` / ``3 h`` / ``2 d``: a response time at a glance."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return _("%(n)d min") % {"n": max(minutes, 1)}
    if minutes < 48 * 60:
        return _("%(n)d h") % {"n": round(minutes / 60)}
    return _("%(n)d d") % {"n": round(minutes / 1440)}


@dataclass
class StoreListFilters:
    status: str = ""
    flagged: bool = False
    supplier_id: int | None = None
    q: str = ""
    shop_id: int | None = None


def store_listings(*, reseller: Reseller, filters: StoreListFilters | None = None) -> models.QuerySet:
    """The reseller's store list with what a row shows (select_related; fixed query count)."""
    qs = StoreListing.objects.filter(reseller=reseller).select_related("sku", "sku__product", "supplier", "shop")
    qs = qs.exclude(sku__product_id__in=hidden_product_ids(reseller.pk, timezone.now()))
    f = filters or StoreListFilters()
    if f.shop_id:
        qs = qs.filter(shop_id=f.shop_id)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.flagged:
        qs = qs.filter(flagged_q())
    if f.supplier_id:
        qs = qs.filter(supplier_id=f.supplier_id)
    if f.q:
        qs = qs.filter(Q(sku__code__trgm_icontains=f.q) | Q(sku__product__title__trgm_icontains=f.q))
    return qs.annotate(shown_title=display_title_via_sku(), **price_annotations(reseller.pk, sku_ref="sku_id")).order_by(
        "-updated_at", "-id"
    )


def display_title_via_sku():
    from django.db.models import Case, When

    return Case(
        When(sku__product__has_pending_changes=True, then=F("sku__product__approved_title")),
        default=F("sku__product__title"),
        output_field=models.CharField(),
    )


def flagged_q() -> Q:
    return Q(flag_out_of_range=True) | Q(flag_out_of_stock=True) | Q(flag_delisted=True) | Q(flag_partnership_ended=True)


def store_list_counts(*, reseller: Reseller) -> dict[str, int]:
    qs = StoreListing.objects.filter(reseller=reseller).exclude(sku__product_id__in=hidden_product_ids(reseller.pk, timezone.now()))
    return qs.aggregate(
        total=Count("id"),
        published=Count("id", filter=Q(status=StoreListing.Status.PUBLISHED)),
        flagged=Count("id", filter=flagged_q()),
    )


def store_listing(*, reseller: Reseller, listing_id: int) -> StoreListing:
    qs = StoreListing.objects.filter(reseller=reseller).select_related("sku", "sku__product", "supplier")
    return get_object_or_404(qs.annotate(**price_annotations(reseller.pk, sku_ref="sku_id")), pk=listing_id)


def listings_by_sku(*, reseller: Reseller, sku_ids: list[int]) -> dict[int, StoreListing]:
    return {sl.sku_id: sl for sl in StoreListing.objects.filter(reseller=reseller, sku_id__in=list(sku_ids))}


def feed_listings(*, reseller: Reseller, updated_since: datetime | None = None, shop=None) -> models.QuerySet:
    """Rows of one shop's feeds (the default shop if none). ``updated_since`` keeps rows whose entry, SKU or
    product changed since then (``SKU.sync_at``: title, description, images, price, stock), and every row of a
    supplier whose partnership with the reseller changed since then (its tier, so the reseller's price:
    ``partnership_change``, and ``tier_update`` of a tier's discount)."""
    from .shop_services import shop_default

    qs = StoreListing.objects.filter(reseller=reseller, shop=shop or shop_default(reseller=reseller))
    qs = qs.exclude(sku__product_id__in=hidden_product_ids(reseller.pk, timezone.now()))  # product lines (suppliers.terms)
    if updated_since is not None:
        repriced = Partnership.objects.filter(reseller=reseller, updated_at__gte=updated_since).values("supplier_id")
        qs = qs.filter(Q(updated_at__gte=updated_since) | Q(sku__sync_at__gte=updated_since) | Q(supplier_id__in=repriced))
    return qs


def reseller_findings(*, reseller: Reseller, open_only: bool = True, shop_id: int | None = None) -> models.QuerySet:
    qs = InspectionFinding.objects.filter(reseller=reseller).select_related(
        "listing", "listing__sku", "listing__sku__product", "listing__shop", "supplier"
    )
    if shop_id:
        qs = qs.filter(listing__shop_id=shop_id)
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return qs.order_by("-found_at", "-id")


def supplier_inspection_overview(*, supplier: Supplier) -> models.QuerySet:
    """Resellers partnered with (or found selling for) ``supplier``, with open/total finding counts."""
    return (
        Reseller.objects.filter(Q(partnerships__supplier=supplier) | Q(inspection_findings__supplier=supplier))
        .distinct()
        .annotate(
            open_findings=Count(
                "inspection_findings",
                filter=Q(inspection_findings__supplier=supplier, inspection_findings__resolved_at__isnull=True),
                distinct=True,
            ),
            total_findings=Count("inspection_findings", filter=Q(inspection_findings__supplier=supplier), distinct=True),
        )
        .order_by("-open_findings", "name")
    )


def supplier_reseller_for_report(*, supplier: Supplier, reseller_id: int) -> Reseller:
    """A reseller the supplier may inspect: partnered now or before, or with findings for it (else 404)."""
    qs = Reseller.objects.filter(Q(partnerships__supplier=supplier) | Q(inspection_findings__supplier=supplier)).distinct()
    return get_object_or_404(qs, pk=reseller_id)


def supplier_findings(*, supplier: Supplier, reseller: Reseller) -> models.QuerySet:
    return (
        InspectionFinding.objects.filter(supplier=supplier, reseller=reseller)
        .select_related("listing", "listing__sku", "listing__sku__product", "listing__shop")
        .order_by(F("resolved_at").desc(nulls_first=True), "-found_at", "-id")
    )


def reseller_shops(*, reseller: Reseller) -> list:
    """The reseller's shops, default first (made on first use)."""
    from .models import Shop
    from .shop_services import shop_default

    shop_default(reseller=reseller)
    return list(Shop.objects.filter(reseller=reseller))


def reseller_shop(*, reseller: Reseller, shop_id) -> object:
    from .models import Shop

    return get_object_or_404(Shop.objects.filter(reseller=reseller), pk=shop_id)


def shop_listing_counts(*, reseller: Reseller) -> dict[int, int]:
    rows = StoreListing.objects.filter(reseller=reseller, status=StoreListing.Status.PUBLISHED).values("shop_id").annotate(n=Count("id"))
    return {row["shop_id"]: row["n"] for row in rows}
