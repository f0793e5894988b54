"""Reads shared by views, admin and other apps: disputes."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from procurement.models import PurchaseOrder

from .models import Dispute


def disputes_for_organisation(organisation: Organisation) -> QuerySet:
    """Disputes the organisation is a party to (as reseller or supplier), newest first."""
    field = "reseller" if organisation.kind == Organisation.Kind.RESELLER else "supplier"
    return (
        Dispute.objects.filter(**{field: organisation})
        .select_related("purchase_order", "reseller", "supplier")
        .order_by("-opened_at", "-id")
    )


def dispute_for_viewer(*, user, pk: int):
    """The dispute if ``user`` may see it (a party's member, or platform staff), else ``None``."""
    qs = Dispute.objects.select_related("purchase_order", "reseller", "supplier", "opened_by")
    membership = getattr(user, "membership", None)
    if membership is not None:
        qs = qs.filter(Q(reseller_id=membership.organisation_id) | Q(supplier_id=membership.organisation_id))
    elif not user.is_staff:
        return None
    return qs.filter(pk=pk).first()


def dispute_counts(organisation: Organisation) -> dict[str, int]:
    from django.db.models import Count

    side = "reseller" if organisation.kind == Organisation.Kind.RESELLER else "supplier"
    agg = disputes_for_organisation(organisation).aggregate(
        open=Count("pk", filter=Q(status=Dispute.Status.OPEN)),
        waiting=Count("pk", filter=Q(status=Dispute.Status.OPEN, waiting_on=side)),
        escalated=Count("pk", filter=Q(status=Dispute.Status.ESCALATED)),
    )
    return agg


def disputable_purchase_orders(organisation: Organisation, now: datetime | None = None, limit: int = 10) -> list:
    """The reseller's shipped POs still inside their dispute window, soonest deadline first."""
    now = now or timezone.now()
    return list(
        PurchaseOrder.objects.filter(reseller_id=organisation.pk, status=PurchaseOrder.Status.SHIPPED, dispute_until__gt=now)
        .select_related("supplier")
        .order_by("dispute_until", "id")[:limit]
    )


def open_dispute_for_po(purchase_order_id: int):
    return Dispute.objects.filter(purchase_order_id=purchase_order_id, status__in=list(Dispute.OPEN_STATUSES)).first()
