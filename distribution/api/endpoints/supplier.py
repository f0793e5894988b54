"""Supplier endpoints: SKUs and stock, purchase orders to ship or cancel."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Query, Router

from distribution.core.errors import DomainError
from suppliers.services import sku_set_stock, sku_set_stock_many

from .. import selectors
from ..auth import SupplierKey
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ..schemas import StockBulkIn, StockBulkOut, StockIn, SupplierSkuOut, SupplierSkuPage
from .common import ERRORS, WRITE_ERRORS, actor_of, aware, clean_path, item_error, organisation_of

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


@router.put("skus/stock", response={200: StockBulkOut, **WRITE_ERRORS}, summary="Set stock on hand of up to 1,000 SKUs (bulk sync)")
def set_stock_bulk(request: HttpRequest, payload: StockBulkIn):
    """Each item succeeds or fails alone (``results`` in the order sent); the answer is 200 even when
    some failed. One transaction and a fixed number of statements, whatever the batch size."""
    items = [(clean_path(item.code), item.on_hand) for item in payload.items]
    outcomes = sku_set_stock_many(actor=actor_of(request), supplier_id=organisation_of(request).pk, items=items, reason="API")
    results = []
    for i, ((code, _on_hand), outcome) in enumerate(zip(items, outcomes, strict=True)):
        if isinstance(outcome, DomainError):
            results.append({"code": code, "ok": False, "error": item_error(outcome, prefix=f"items.{i}.")})
        else:
            results.append({"code": code, "ok": True, "sku": selectors.supplier_sku_dict(outcome)})
    failed = sum(1 for r in results if not r["ok"])
    return {"results": results, "succeeded": len(results) - failed, "failed": failed}


@router.put("skus/{code}/stock", response={200: SupplierSkuOut, **WRITE_ERRORS}, summary="Set stock on hand (warehouse sync)")
def set_stock(request: HttpRequest, code: str, payload: StockIn):
    sku = selectors.supplier_skus(organisation_of(request).pk).filter(code=clean_path(code)).first()
    if sku is None:
        raise Http404
    sku_set_stock(actor=actor_of(request), sku=sku, on_hand=payload.on_hand, reason="API")
    return selectors.supplier_sku_dict(sku)
