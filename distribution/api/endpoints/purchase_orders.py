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

from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder

from distribution.core import inserts
from distribution.core.errors import DomainError
from distribution.core.money import format_money
from procurement import selectors as po_selectors
from procurement import services as po_services
from procurement.addresses import address_normalise
from procurement.models import PurchaseOrder

from ..auth import ResellerKey, SupplierKey
from ..errors import ApiError
from ..models import IdempotencyRecord
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ..schemas import (
    AddressIn,
    CancelIn,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderPage,
    PurchaseOrderPlacedOut,
    QuoteOut,
    ShipBulkIn,
    ShipBulkOut,
    ShipIn,
)
from ..serializers import po_dict
from .common import ERRORS, WRITE_ERRORS, actor_of, aware, clean_path, item_error, organisation_of

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
JSON_CONTENT_TYPE = "application/json; charset=utf-8"  # what ninja's JSON renderer answers with


def _fresh(po: PurchaseOrder) -> dict[str, Any]:
    po = PurchaseOrder.objects.select_related("supplier", "reseller").prefetch_related("lines", "packages__lines__line").get(pk=po.pk)
    return po_dict(po)


def _with_details(qs):
    return qs.select_related("supplier", "reseller").prefetch_related("lines", "packages__lines__line")


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


def _request_hash(request: HttpRequest) -> str:
    canonical = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(organisation_id: int, key: str, request_hash: str, consumer_order_ref: str) -> tuple[int | None, list[str]]:
    """Insert the key's row; ``None`` when the key is taken (waits on the unique index for an in-flight request).

    The same statement reads the answer's ``duplicate_of``: the reseller's POs already placed for
    this consumer order (``procurement.selectors.duplicate_po_numbers``), before this one is."""
    duplicates, params = po_selectors.duplicate_po_numbers_sql(reseller_id=organisation_id, consumer_order_ref=consumer_order_ref)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO api_idempotencyrecord (organisation_id, key, request_hash, created_at) "  # noqa: S608 (the selector's SQL)
            f"VALUES (%s, %s, %s, now()) ON CONFLICT (organisation_id, key) DO NOTHING RETURNING id, {duplicates}",
            [organisation_id, key, request_hash, *params],
        )
        row = cursor.fetchone()
    return (row[0], list(row[1])) if row else (None, [])


def _replay(record: IdempotencyRecord, request_hash: str):
    if record.request_hash != request_hash:
        raise ApiError(422, "idempotency_key_reused", _("This Idempotency-Key was used with another request body."))
    return record.status_code, record.response_body


@reseller_router.post(
    "purchase-orders/",
    response={201: PurchaseOrderPlacedOut, **WRITE_ERRORS},
    openapi_extra=IDEMPOTENCY_HEADER,
    summary="Place a purchase order (idempotent)",
)
def place(request: HttpRequest, payload: PurchaseOrderIn):
    """Place, or replay the first answer to this Idempotency-Key.

    One transaction: the key's row first (``INSERT … ON CONFLICT DO NOTHING RETURNING``; a
    concurrent request with the same key waits there until the first commits or rolls
    back), then the PO; the answer is built from memory and stored on the key's row just
    before the stock reservation, the transaction's last write. A taken key replays the
    stored answer (one read), or answers 422 for another body.
    """
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise ApiError(400, "missing_idempotency_key", _("The Idempotency-Key header is required."))
    if len(key) > 255 or "\x00" in key:
        raise ApiError(400, "malformed_request", _("The Idempotency-Key header is 255 characters at most."))
    organisation = organisation_of(request)
    request_hash = _request_hash(request)
    data = payload.dict()
    answer: dict[str, Any] = {}
    body: list[str] = []
    with transaction.atomic():
        ref = data["consumer_order_ref"]
        record_id, duplicates = _claim(organisation.pk, key, request_hash, ref)
        while record_id is None:
            # ON CONFLICT DO NOTHING only after the holder committed, so its row is there (unless pruned since: claim again)
            record = IdempotencyRecord.objects.filter(organisation_id=organisation.pk, key=key).first()
            if record is not None:
                return _replay(record, request_hash)
            record_id, duplicates = _claim(organisation.pk, key, request_hash, ref)

        def remember(po: PurchaseOrder) -> None:
            answer.update(po_dict(po, lines=po.placed_lines))
            answer["duplicate_of"] = duplicates  # read by the claim, before this PO was placed
            body.append(json.dumps(answer, cls=NinjaJSONEncoder))
            # hand-written (the ORM's UPDATE compiled per request cost more than it ran), and a part of
            # the placing's one statement of rows (distribution/core/inserts.py, together())
            inserts.write(
                "UPDATE api_idempotencyrecord SET status_code = 201, response_body = %s::jsonb WHERE id = %s", [body[0], record_id]
            )

        try:
            po_services.purchase_order_place(
                actor=actor_of(request),
                reseller=organisation.reseller,
                supplier=None,
                lines=data["lines"],
                consumer_order_ref=data["consumer_order_ref"],
                address=address_normalise(data["shipping_address"]),
                note=data["note"],
                before_reserve=remember,
                savepoint=False,  # any error leaves this block too, so the nested atomic needs no savepoint
            )
        except DomainError as exc:
            exc.field = _full_path(exc, data["lines"])
            raise
    # The answer as stored on the key's row, sent as it is: it is already the schema's shape
    # (tests/api/test_placement_answer.py), so ninja's validation and re-serialisation are skipped.
    return HttpResponse(body[0], status=201, content_type=JSON_CONTENT_TYPE)


@reseller_router.post("purchase-orders/quote", response={200: QuoteOut, **ERRORS}, summary="What placing this body would cost")
def quote(request: HttpRequest, payload: PurchaseOrderIn):
    """The same body as placing: the lines priced (overrides, price breaks, tier), goods, shipping and its breakdown.

    Nothing is placed or reserved and no Idempotency-Key is needed; every error placing would
    answer for the body (terms included) is answered the same way, except stock.
    """
    data = payload.dict()
    try:
        (quoted,) = po_services.purchase_order_quote(
            reseller=organisation_of(request).reseller, lines=data["lines"], address=address_normalise(data["shipping_address"])
        )
    except DomainError as exc:
        exc.field = _full_path(exc, data["lines"])
        raise
    return {
        "supplier": {"id": quoted.supplier_id, "name": quoted.supplier_name},
        "lines": [
            {**line, "unit_price": format_money(line["unit_price"]), "line_amount": format_money(line["line_amount"])}
            for line in quoted.lines
        ],
        "goods_amount": format_money(quoted.goods),
        "shipping_amount": format_money(quoted.shipping),
        "shipping_breakdown": quoted.breakdown,
        "total_amount": format_money(quoted.total),
    }


def _full_path(exc: DomainError, lines: list[dict[str, Any]]) -> str | None:
    """The field of a service's error as a full path of the body: the address service names its
    own fields (``mobile``), stock and partnership checks name ``lines``."""
    field = exc.field
    if field in AddressIn.model_fields:
        return f"shipping_address.{field}"
    if field == "lines" and lines:
        sku_id = getattr(exc, "sku_id", None)
        if sku_id is not None:  # stock: the line's quantity
            position = next((i for i, line in enumerate(lines) if line["sku_id"] == sku_id), 0)
            return f"lines.{position}.quantity"
        if exc.code == "no_partnership":
            return "lines.0.sku_id"
    return field  # e.g. the supplier's minimum order names all the lines


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


def _answer(po: PurchaseOrder) -> dict[str, Any]:
    """The answer of an action, from what the service read and wrote (no re-read)."""
    return po_dict(po, lines=getattr(po, "line_rows", None))


def _act(request: HttpRequest, service, number: str, *, side: str, **kwargs: Any) -> dict[str, Any]:
    """Run a PO service on this organisation's PO ``number`` (found and locked in one query; another's is 404)."""
    ref = po_services.PurchaseOrderRef(number=clean_path(number), **{f"{side}_id": organisation_of(request).pk})
    try:
        po = service(actor=actor_of(request), purchase_order=ref, **kwargs)
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None
    return _answer(po)


@reseller_router.post("purchase-orders/{number}/pay", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Pay from the wallet")
def pay(request: HttpRequest, number: str):
    return _act(request, po_services.purchase_order_pay, number, side="reseller")


@reseller_router.post(
    "purchase-orders/{number}/cancel", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Cancel while awaiting payment"
)
def cancel(request: HttpRequest, number: str):
    return _act(request, po_services.purchase_order_cancel, number, side="reseller")


@reseller_router.post(
    "purchase-orders/{number}/confirm-receipt", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Confirm receipt"
)
def confirm_receipt(request: HttpRequest, number: str):
    return _act(request, po_services.purchase_order_confirm_receipt, number, side="reseller")


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


@supplier_router.get("purchase-orders/{number}/", response={200: PurchaseOrderOut, **ERRORS}, summary="One purchase order")
def supplier_detail(request: HttpRequest, number: str):
    po = PurchaseOrder.objects.filter(supplier_id=organisation_of(request).pk, number=clean_path(number)).first()
    if po is None:
        raise Http404
    return _fresh(po)


@supplier_router.post("purchase-orders/ship", response={200: ShipBulkOut, **WRITE_ERRORS}, summary="Ship up to 500 paid POs (bulk)")
def ship_bulk(request: HttpRequest, payload: ShipBulkIn):
    """Each PO is shipped by the same service as ``…/{number}/ship``, in its own transaction:
    one refused (another's or unknown number: ``not_found``; not paid: ``invalid_state``) leaves
    the others shipped. ``results`` follow the order sent; the answer is 200 even when some failed."""
    organisation, actor = organisation_of(request), actor_of(request)
    results = []
    for i, item in enumerate(payload.items):
        number = item.number
        ref = po_services.PurchaseOrderRef(number=number.replace("\x00", ""), supplier_id=organisation.pk)
        try:
            po = po_services.purchase_order_ship(
                actor=actor, purchase_order=ref, carrier=item.carrier, tracking_number=item.tracking_number
            )
        except PurchaseOrder.DoesNotExist:
            error = {
                "code": "not_found",
                "message": _("No purchase order of yours has this number."),
                "fields": {f"items.{i}.number": [_("Not found.")]},
            }
            results.append({"number": number, "ok": False, "error": error})
        except DomainError as exc:
            results.append({"number": number, "ok": False, "error": item_error(exc, prefix=f"items.{i}.")})
        else:
            results.append({"number": number, "ok": True, "purchase_order": _answer(po)})
    failed = sum(1 for r in results if not r["ok"])
    return {"results": results, "succeeded": len(results) - failed, "failed": failed}


@supplier_router.post("purchase-orders/{number}/ship", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Ship a paid PO")
def ship(request: HttpRequest, number: str, payload: ShipIn):
    return _act(
        request, po_services.purchase_order_ship, number, side="supplier", carrier=payload.carrier, tracking_number=payload.tracking_number
    )


@supplier_router.post(
    "purchase-orders/{number}/cancel", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Cancel a paid PO and refund"
)
def supplier_cancel(request: HttpRequest, number: str, payload: CancelIn):
    return _act(request, po_services.purchase_order_supplier_cancel, number, side="supplier", reason=payload.reason)
