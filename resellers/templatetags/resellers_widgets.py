"""Home dashboard cards of the resellers app (included from templates/includes/home_*_widgets.html)."""

from __future__ import annotations

from django import template
from django.db.models import Count, Q

from resellers.models import InspectionFinding
from resellers.selectors import store_list_counts

register = template.Library()


@register.inclusion_tag("resellers/_widget_reseller.html")
def reseller_store_widget(reseller):
    counts = store_list_counts(reseller=reseller) if reseller else {"total": 0, "published": 0, "flagged": 0}
    open_findings = InspectionFinding.objects.filter(reseller=reseller, resolved_at__isnull=True).count() if reseller else 0
    return {"counts": counts, "open_findings": open_findings}


@register.inclusion_tag("resellers/_widget_supplier.html")
def supplier_inspection_widget(supplier):
    data = {"open": 0, "resellers": 0}
    if supplier:
        data = InspectionFinding.objects.filter(supplier=supplier, resolved_at__isnull=True).aggregate(
            open=Count("id"), resellers=Count("reseller", distinct=True, filter=Q(resolved_at__isnull=True))
        )
    return data
