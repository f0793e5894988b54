"""Supplier endpoints: SKUs and stock, purchase orders to ship or cancel."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router

from suppliers.services import sku_set_stock

from .. import selectors
from ..auth import SupplierKey
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ..schemas import StockIn, SupplierSkuOut, SupplierSkuPage
from .common import ERRORS, WRITE_ERRORS, actor_of, aware, clean_path, organisation_of

router = Router(auth=SupplierKey(), tags=["supplier"])


@router.get("skus/", response={200: SupplierSkuPage, **ERRORS}, summary="This supplier's SKUs with stock and prices")
def list_skus(
    request: HttpRequest,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    qs = selectors.supplier_skus(organisation_of(request).pk)
    rows, next_cursor = keyset_page(qs, cursor=cursor, limit=limit, updated_since=aware(updated_since))
    return {"results": [selectors.supplier_sku_dict(s) for s in rows], "next_cursor": next_cursor}


@router.put("skus/{code}/stock", response={200: SupplierSkuOut, **WRITE_ERRORS}, summary="Set stock on hand (warehouse sync)")
def set_stock(request: HttpRequest, code: str, payload: StockIn):
    sku = selectors.supplier_skus(organisation_of(request).pk).filter(code=clean_path(code)).first()
    if sku is None:
        raise Http404
    sku_set_stock(actor=actor_of(request), sku=sku, on_hand=payload.on_hand, reason="API")
    return selectors.supplier_sku_dict(sku)
