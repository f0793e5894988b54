"""Reseller endpoints: products, inventory, account, purchase orders."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router

from distribution.core.money import CURRENCY, format_money
from settlement.selectors import wallet_summary

from .. import selectors
from ..auth import ResellerKey
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT
from ..schemas import AccountOut, InventoryPage, ProductOut, ProductPage
from ..serializers import iso
from .common import ERRORS, aware, organisation_of

router = Router(auth=ResellerKey(), tags=["reseller"])


@router.get("products/", response={200: ProductPage, **ERRORS}, summary="SKUs this reseller may distribute")
def list_products(
    request: HttpRequest,
    updated_since: datetime | None = None,
    supplier_id: int | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    rows, next_cursor = selectors.reseller_sku_page(
        organisation_of(request).pk, supplier_id=supplier_id, updated_since=aware(updated_since), cursor=cursor, limit=limit
    )
    return {"results": [selectors.product_dict(sku, request) for sku in rows], "next_cursor": next_cursor}


@router.get("products/{sku_id}", response={200: ProductOut, **ERRORS}, summary="One SKU this reseller may distribute")
def get_product(request: HttpRequest, sku_id: int):
    sku = selectors.reseller_sku(organisation_of(request).pk, sku_id) if 0 < sku_id < 2**63 else None
    if sku is None:
        raise Http404
    return selectors.product_dict(sku, request)


@router.get("inventory/", response={200: InventoryPage, **ERRORS}, summary="Available stock of those SKUs")
def list_inventory(
    request: HttpRequest,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    """The same SKUs, order, cursor and ``updated_at`` as ``products/`` (one time per SKU), with the stock only."""
    rows, next_cursor = selectors.reseller_sku_page(
        organisation_of(request).pk, updated_since=aware(updated_since), cursor=cursor, limit=limit
    )
    results = [{"sku_id": s.pk, "code": s.code, "available": max(s.available, 0), "updated_at": iso(s.feed_updated_at)} for s in rows]
    return {"results": results, "next_cursor": next_cursor}


@router.get("account/", response={200: AccountOut, **ERRORS}, summary="This reseller's wallet")
def account(request: HttpRequest):
    organisation = organisation_of(request)
    summary = wallet_summary(organisation)
    return {
        "organisation": {"id": organisation.pk, "name": organisation.name, "kind": organisation.kind},
        "balance": format_money(summary.balance),
        "held": format_money(summary.held),
        "currency": CURRENCY,
    }
