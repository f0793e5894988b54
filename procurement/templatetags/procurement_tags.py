"""``{% procurement_widget %}``: the purchase-order card on the home dashboard (one query)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from procurement.models import PurchaseOrder

register = template.Library()
S = PurchaseOrder.Status


@register.inclusion_tag("procurement/_home_widget.html", takes_context=True)
def procurement_widget(context) -> dict:
    organisation = context.get("organisation")
    if organisation is None:
        return {"show": False}
    soon = timezone.now() + timedelta(days=3)
    if organisation.kind == "reseller":
        counts = PurchaseOrder.objects.filter(reseller_id=organisation.pk).aggregate(
            to_pay=Count("id", filter=Q(status=S.AWAITING_PAYMENT)),
            to_confirm=Count("id", filter=Q(status=S.SHIPPED)),
            waiting=Count("id", filter=Q(status=S.PAID)),
        )
    else:
        counts = PurchaseOrder.objects.filter(supplier_id=organisation.pk).aggregate(
            to_ship=Count("id", filter=Q(status=S.PAID)),
            due_soon=Count("id", filter=Q(status=S.PAID, ship_by__lte=soon)),
            in_transit=Count("id", filter=Q(status=S.SHIPPED)),
        )
    return {"show": True, "kind": organisation.kind, "counts": counts}
