"""Reads the after-sales pages share: one side's requests, the counts of what needs action."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from procurement.models import PurchaseOrder

from .models import AfterSale

Status = AfterSale.Status


def side_filter(side: str, organisation_id: int) -> Q:
    return Q(reseller_id=organisation_id) if side == "reseller" else Q(supplier_id=organisation_id)


def waiting_on(side: str) -> tuple[str, ...]:
    return AfterSale.RESELLER_ACTS if side == "reseller" else AfterSale.SUPPLIER_ACTS


def after_sales_for(side: str, organisation_id: int) -> QuerySet[AfterSale]:
    return AfterSale.objects.filter(side_filter(side, organisation_id)).select_related("purchase_order", "supplier", "reseller")


def after_sale_counts(side: str, organisation_id: int) -> dict[str, int]:
    """One query: what waits on this side, what is open, with the platform, refunded."""
    return AfterSale.objects.filter(side_filter(side, organisation_id)).aggregate(
        waiting=Count("pk", filter=Q(status__in=waiting_on(side))),
        open=Count("pk", filter=Q(status__in=AfterSale.OPEN_STATES)),
        escalated=Count("pk", filter=Q(status=Status.ESCALATED)),
        refunded=Count("pk", filter=Q(status=Status.REFUNDED)),
    )


def after_sale_for(side: str, organisation_id: int, number: str) -> AfterSale | None:
    return (
        AfterSale.objects.filter(side_filter(side, organisation_id), number=number)
        .select_related("purchase_order", "supplier", "reseller")
        .prefetch_related("lines__line", "transitions", "evidence")
        .first()
    )


def returnable_purchase_orders(reseller_id: int, limit: int = 10) -> list[PurchaseOrder]:
    """Recently completed POs (received) the reseller may open a request on."""
    return list(
        PurchaseOrder.objects.filter(reseller_id=reseller_id, status=PurchaseOrder.Status.COMPLETED)
        .select_related("supplier")
        .order_by("-completed_at", "-id")[:limit]
    )
