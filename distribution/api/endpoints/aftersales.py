"""After-sales endpoints of both sides, packages and tracking corrections, the carriers list.

Every action runs one ``aftersales.services`` (or ``procurement.services``) call on this
organisation's object, found and locked in one query: another organisation's is 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from aftersales import services as as_services
from aftersales.models import AfterSale
from procurement import services as po_services
from procurement.carriers import CARRIERS
from procurement.models import PurchaseOrder, PurchaseOrderLine

from ..auth import ResellerKey, SupplierKey
from ..errors import ApiError
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, keyset_page
from ..schemas import (
    AfterSaleIn,
    AfterSaleOut,
    AfterSalePage,
    CarrierOut,
    DeliveredIn,
    PackageIn,
    PackageOut,
    ProposeIn,
    PurchaseOrderOut,
    ReceivedIn,
    RefuseIn,
    TrackingCorrectionIn,
    TrackingIn,
)
from ..serializers import after_sale_dict, package_dict, po_dict
from .common import ERRORS, WRITE_ERRORS, actor_of, aware, clean_path, organisation_of

reseller_router = Router(auth=ResellerKey(), tags=["reseller after-sales"])
supplier_router = Router(auth=SupplierKey(), tags=["supplier after-sales and shipping"])
STATUSES = [s.value for s in AfterSale.Status]


def _fresh(a: AfterSale) -> dict[str, Any]:
    return after_sale_dict(AfterSale.objects.select_related("purchase_order").prefetch_related("lines__line").get(pk=a.pk))


def _list(qs, *, status, updated_since, cursor, limit) -> dict[str, Any]:
    if status:
        if status not in STATUSES:
            raise ApiError(422, "validation_error", _("Some fields are not valid."), {"status": [_("Unknown status.")]})
        qs = qs.filter(status=status)
    qs = qs.select_related("purchase_order").prefetch_related("lines__line")
    rows, next_cursor = keyset_page(qs, cursor=cursor, limit=limit, updated_since=aware(updated_since))
    return {"results": [after_sale_dict(a) for a in rows], "next_cursor": next_cursor}


def _act(request: HttpRequest, service, number: str, *, side: str, **kwargs: Any) -> dict[str, Any]:
    ref = as_services.AfterSaleRef(number=clean_path(number), **{f"{side}_id": organisation_of(request).pk})
    try:
        a = service(actor=actor_of(request), after_sale=ref, **kwargs)
    except AfterSale.DoesNotExist:
        raise Http404 from None
    return _fresh(a)


def _one(request: HttpRequest, number: str, *, side: str) -> dict[str, Any]:
    a = AfterSale.objects.filter(number=clean_path(number), **{f"{side}_id": organisation_of(request).pk}).first()
    if a is None:
        raise Http404
    return _fresh(a)


# --- reseller ----------------------------------------------------------------------------------


@reseller_router.get("after-sales/", response={200: AfterSalePage, **ERRORS}, summary="This reseller's after-sales requests")
def reseller_list(
    request: HttpRequest,
    status: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    qs = AfterSale.objects.filter(reseller_id=organisation_of(request).pk)
    return _list(qs, status=status, updated_since=updated_since, cursor=cursor, limit=limit)


@reseller_router.post("after-sales/", response={201: AfterSaleOut, **WRITE_ERRORS}, summary="Open an after-sales request on a completed PO")
def reseller_open(request: HttpRequest, payload: AfterSaleIn):
    organisation = organisation_of(request)
    po = PurchaseOrder.objects.filter(reseller_id=organisation.pk, number=clean_path(payload.purchase_order)).first()
    if po is None:
        raise Http404
    codes = dict(PurchaseOrderLine.objects.filter(purchase_order=po).values_list("code", "pk"))
    quantities: dict[int, int] = {}
    for line in payload.lines:
        if line.code not in codes:
            raise ApiError(
                422,
                "validation_error",
                _("Some fields are not valid."),
                {"lines": [_("%(code)s is not in this purchase order.") % {"code": line.code}]},
            )
        quantities[codes[line.code]] = line.quantity
    a = as_services.after_sale_open(
        actor=actor_of(request),
        reseller=organisation.reseller,
        purchase_order=po,
        kind=payload.kind,
        reason=payload.reason,
        description=payload.description,
        quantities=quantities,
        amount=payload.amount,
    )
    return 201, _fresh(a)


@reseller_router.get("after-sales/{number}/", response={200: AfterSaleOut, **ERRORS}, summary="One after-sales request")
def reseller_detail(request: HttpRequest, number: str):
    return _one(request, number, side="reseller")


@reseller_router.post("after-sales/{number}/accept", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Accept the supplier's proposal")
def accept(request: HttpRequest, number: str):
    return _act(request, as_services.after_sale_accept, number, side="reseller")


@reseller_router.post("after-sales/{number}/escalate", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Ask the platform to decide")
def escalate(request: HttpRequest, number: str):
    return _act(request, as_services.after_sale_escalate, number, side="reseller")


@reseller_router.post("after-sales/{number}/ship-back", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Enter the return's tracking")
def ship_back(request: HttpRequest, number: str, payload: TrackingIn):
    return _act(
        request, as_services.after_sale_ship_back, number, side="reseller", carrier=payload.carrier, tracking_number=payload.tracking_number
    )


@reseller_router.post(
    "after-sales/{number}/delivered",
    response={200: AfterSaleOut, **WRITE_ERRORS},
    summary="Report the return delivered to the supplier (from the carrier's tracking)",
)
def delivered(request: HttpRequest, number: str, payload: DeliveredIn):
    at = aware(payload.delivered_at, field="delivered_at")
    return _act(request, as_services.after_sale_mark_return_delivered, number, side="reseller", delivered_at=at)


@reseller_router.post("after-sales/{number}/withdraw", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Withdraw the request")
def withdraw(request: HttpRequest, number: str):
    return _act(request, as_services.after_sale_withdraw, number, side="reseller")


# --- supplier ----------------------------------------------------------------------------------


@supplier_router.get("after-sales/", response={200: AfterSalePage, **ERRORS}, summary="After-sales requests to this supplier")
def supplier_list(
    request: HttpRequest,
    status: str | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    qs = AfterSale.objects.filter(supplier_id=organisation_of(request).pk)
    return _list(qs, status=status, updated_since=updated_since, cursor=cursor, limit=limit)


@supplier_router.get("after-sales/{number}/", response={200: AfterSaleOut, **ERRORS}, summary="One after-sales request")
def supplier_detail(request: HttpRequest, number: str):
    return _one(request, number, side="supplier")


@supplier_router.post("after-sales/{number}/agree", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Agree as asked")
def agree(request: HttpRequest, number: str):
    return _act(request, as_services.after_sale_agree, number, side="supplier")


@supplier_router.post("after-sales/{number}/propose", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Propose another amount")
def propose(request: HttpRequest, number: str, payload: ProposeIn):
    return _act(request, as_services.after_sale_propose, number, side="supplier", amount=payload.amount, note=payload.note)


@supplier_router.post("after-sales/{number}/refuse", response={200: AfterSaleOut, **WRITE_ERRORS}, summary="Refuse with a reason")
def refuse(request: HttpRequest, number: str, payload: RefuseIn):
    return _act(request, as_services.after_sale_refuse, number, side="supplier", note=payload.note)


@supplier_router.post(
    "after-sales/{number}/received",
    response={200: AfterSaleOut, **WRITE_ERRORS},
    summary="Confirm the return arrived (refund, or ship the replacement)",
)
def received(request: HttpRequest, number: str, payload: ReceivedIn):
    return _act(
        request,
        as_services.after_sale_confirm_received,
        number,
        side="supplier",
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        restock=payload.restock,
    )


@supplier_router.get("carriers/", response={200: list[CarrierOut], **ERRORS}, summary="Carriers with codes and tracking-page URL templates")
def carriers(request: HttpRequest):
    return [{"code": c.code, "name": c.name, "url_template": c.url_template} for c in CARRIERS]


def _supplier_po(request: HttpRequest, number: str) -> PurchaseOrder:
    po = PurchaseOrder.objects.filter(supplier_id=organisation_of(request).pk, number=clean_path(number)).first()
    if po is None:
        raise Http404
    return po


def _po_answer(po: PurchaseOrder) -> dict[str, Any]:
    po = PurchaseOrder.objects.select_related("supplier", "reseller").prefetch_related("lines", "packages__lines__line").get(pk=po.pk)
    return po_dict(po)


@supplier_router.post(
    "purchase-orders/{number}/packages", response={200: PurchaseOrderOut, **WRITE_ERRORS}, summary="Ship some lines as one package"
)
def ship_package(request: HttpRequest, number: str, payload: PackageIn):
    po = _supplier_po(request, number)
    codes = dict(PurchaseOrderLine.objects.filter(purchase_order=po).values_list("code", "pk"))
    quantities: dict[int, int] = {}
    for line in payload.lines:
        if line.code not in codes:
            raise ApiError(
                422,
                "validation_error",
                _("Some fields are not valid."),
                {"lines": [_("%(code)s is not in this purchase order.") % {"code": line.code}]},
            )
        quantities[codes[line.code]] = line.quantity
    po_services.purchase_order_ship_package(
        actor=actor_of(request), purchase_order=po, carrier=payload.carrier, tracking_number=payload.tracking_number, quantities=quantities
    )
    return _po_answer(po)


@supplier_router.post(
    "purchase-orders/{number}/tracking", response={200: PackageOut, **WRITE_ERRORS}, summary="Correct a shipped package's tracking"
)
def correct_tracking(request: HttpRequest, number: str, payload: TrackingCorrectionIn):
    po = _supplier_po(request, number)
    package = po_services.purchase_order_correct_tracking(
        actor=actor_of(request),
        purchase_order=po,
        package_id=payload.package_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return package_dict(package)
