"""Supplier endpoints: SKUs and stock, purchase orders to ship or cancel."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router

from .. import selectors
from ..auth import SupplierKey
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ..schemas import SupplierSkuPage
from .common import ERRORS, aware, organisation_of

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
