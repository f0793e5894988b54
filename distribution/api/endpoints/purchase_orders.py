"""Purchase-order endpoints of both sides, on top of ``procurement.services``.

Placement is idempotent: the ``Idempotency-Key`` row is inserted (unique per
organisation and key) in the same transaction as the purchase order. A second
request with that key waits on the unique index until the first commits, then
replays its answer (same body) or answers 422 ``idempotency_key_reused`` (other
body). If the first request failed, its transaction and the key row were rolled
back, so a retry runs afresh.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from distribution.core.errors import ValidationFailed
from procurement import selectors as po_selectors
from procurement import services as po_services
from procurement.addresses import address_normalise
from procurement.models import PurchaseOrder
from suppliers.models import SKU

from ..auth import ResellerKey, SupplierKey
from ..errors import ApiError
from ..models import IdempotencyRecord
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ..schemas import AddressIn, CancelIn, PurchaseOrderIn, PurchaseOrderOut, PurchaseOrderPage, PurchaseOrderPlacedOut, ShipIn
from ..serializers import po_dict
from .common import ERRORS, WRITE_ERRORS, actor_of, aware, clean_path, organisation_of

reseller_router = Router(auth=ResellerKey(), tags=["reseller purchase orders"])
supplier_router = Router(auth=SupplierKey(), tags=["supplier purchase orders"])

IDEMPOTENCY_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "description": "A unique string per order (e.g. your consumer order id). Retries with the same key and body "
            "replay the first answer; another body with the same key answers 422 idempotency_key_reused.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    ]
}
STATUSES = [s.value for s in PurchaseOrder.Status]


def _fresh(po: PurchaseOrder) -> dict[str, Any]:
    po = PurchaseOrder.objects.select_related("supplier", "reseller").prefetch_related("lines").get(pk=po.pk)
    return po_dict(po)


def _with_details(qs):
    return qs.select_related("supplier", "reseller").prefetch_related("lines")


def _list(request: HttpRequest, qs, *, status: str | None, updated_since, cursor, limit) -> dict[str, Any]:
    if status:
        if status not in STATUSES:
            raise ApiError(422, "validation_error", _("Some fields are not valid."), {"status": [_("Unknown status.")]})
        qs = qs.filter(status=status)
    rows, next_cursor = keyset_page(_with_details(qs), cursor=cursor, limit=limit, updated_since=aware(updated_since))
    return {"results": [po_dict(po) for po in rows], "next_cursor": next_cursor}


def _reseller_po(request: HttpRequest, number: str) -> PurchaseOrder:
    po = PurchaseOrder.objects.filter(reseller_id=organisation_of(request).pk, number=clean_path(number)).first()
    if po is None:
        raise Http404
    return po


def _supplier_po(request: HttpRequest, number: str) -> PurchaseOrder:
    po = PurchaseOrder.objects.filter(supplier_id=organisation_of(request).pk, number=clean_path(number)).first()
    if po is None:
        raise Http404
    return po


def _supplier_of(lines: list[dict[str, Any]]):
    """The supplier of the first line's SKU; the service checks that every line has it."""
    sku = SKU.objects.select_related("supplier").filter(pk=lines[0]["sku_id"]).first()
    if sku is None:
        raise ValidationFailed(_("This SKU does not exist."), field="lines.0.sku_id")
    return sku.supplier


def _request_hash(request: HttpRequest) -> str:
    canonical = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@reseller_router.post(
    "purchase-orders/",
    response={201: PurchaseOrderPlacedOut, **WRITE_ERRORS},
    openapi_extra=IDEMPOTENCY_HEADER,
    summary="Place a purchase order (idempotent)",
)
def place(request: HttpRequest, payload: PurchaseOrderIn):
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise ApiError(400, "missing_idempotency_key", _("The Idempotency-Key header is required."))
    if len(key) > 255 or "\x00" in key:
        raise ApiError(400, "malformed_request", _("The Idempotency-Key header is 255 characters at most."))
    organisation = organisation_of(request)
    request_hash = _request_hash(request)
    with transaction.atomic():
        record, created = IdempotencyRecord.objects.get_or_create(
            organisation=organisation, key=key, defaults={"request_hash": request_hash}
        )
        if not created:
            if record.request_hash != request_hash:
                raise ApiError(
                    422, "idempotency_key_reused", _("This Idempotency-Key was used with another request body.")
                )
            return record.status_code, record.response_body
        data = payload.dict()
        try:
            po = po_services.purchase_order_place(
                actor=actor_of(request),
                reseller=organisation.reseller,
                supplier=_supplier_of(data["lines"]),
                lines=data["lines"],
                consumer_order_ref=data["consumer_order_ref"],
                address=address_normalise(data["shipping_address"]),
                note=data["note"],
            )
        except ValidationFailed as exc:
            # the address service names its own fields ("mobile"); the API names them in the body's terms
            if exc.field in AddressIn.model_fields:
                exc.field = f"shipping_address.{exc.field}"
            raise
        body = _fresh(po)
        body["duplicate_of"] = po_selectors.duplicate_po_numbers(
            reseller_id=organisation.pk, consumer_order_ref=po.consumer_order_ref, exclude_ids=[po.pk]
        )
        record.status_code, record.response_body = 201, body
        record.save(update_fields=["status_code", "response_body"])
    return 201, body


@reseller_router.get("purchase-orders/", response={200: PurchaseOrderPage, **ERRORS}, summary="This reseller's purchase orders")
def reseller_list(
    request: HttpRequest,
    status: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    qs = PurchaseOrder.objects.filter(reseller_id=organisation_of(request).pk)
    return _list(request, qs, status=status, updated_since=updated_since, cursor=cursor, limit=limit)


@reseller_router.get("purchase-orders/{number}/", response={200: PurchaseOrderOut, **ERRORS}, summary="One purchase order")
def reseller_detail(request: HttpRequest, number: str):
    return _fresh(_reseller_po(request, number))


@reseller_router.post("purchase-orders/{number}/pay", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Pay from the wallet")
def pay(request: HttpRequest, number: str):
    po = po_services.purchase_order_pay(actor=actor_of(request), purchase_order=_reseller_po(request, number))
    return _fresh(po)


@reseller_router.post(
    "purchase-orders/{number}/cancel", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Cancel while awaiting payment"
)
def cancel(request: HttpRequest, number: str):
    po = po_services.purchase_order_cancel(actor=actor_of(request), purchase_order=_reseller_po(request, number))
    return _fresh(po)


@reseller_router.post(
    "purchase-orders/{number}/confirm-receipt", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Confirm receipt"
)
def confirm_receipt(request: HttpRequest, number: str):
    po = po_services.purchase_order_confirm_receipt(actor=actor_of(request), purchase_order=_reseller_po(request, number))
    return _fresh(po)


@supplier_router.get("purchase-orders/", response={200: PurchaseOrderPage, **ERRORS}, summary="This supplier's purchase orders")
def supplier_list(
    request: HttpRequest,
    status: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    qs = PurchaseOrder.objects.filter(supplier_id=organisation_of(request).pk)
    return _list(request, qs, status=status, updated_since=updated_since, cursor=cursor, limit=limit)


@supplier_router.post("purchase-orders/{number}/ship", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Ship a paid PO")
def ship(request: HttpRequest, number: str, payload: ShipIn):
    po = po_services.purchase_order_ship(
        actor=actor_of(request),
        purchase_order=_supplier_po(request, number),
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _fresh(po)


@supplier_router.post(
    "purchase-orders/{number}/cancel", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Cancel a paid PO and refund"
)
def supplier_cancel(request: HttpRequest, number: str, payload: CancelIn):
    po = po_services.purchase_order_supplier_cancel(
        actor=actor_of(request), purchase_order=_supplier_po(request, number), reason=payload.reason
    )
    return _fresh(po)
