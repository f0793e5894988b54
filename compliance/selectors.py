"""Reads of compliance: an organisation's penalty record, who a supplier may reward."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from accounts.models import Organisation, Penalty
from resellers.models import Reseller
from suppliers.models import Partnership


def compliance_records(organisation: Organisation) -> QuerySet[Penalty]:
    """The organisation's penalties, newest first, with evidence prefetched (fixed query count)."""
    return Penalty.objects.filter(organisation=organisation).prefetch_related("evidence").order_by("-starts_at", "-id")


def partnered_resellers(supplier_organisation_id: int, now: datetime | None = None) -> QuerySet[Reseller]:
    """Resellers with a live partnership with this supplier: who it may reward (R17)."""
    live = Partnership.objects.live(now).filter(supplier_id=supplier_organisation_id).values("reseller_id")
    return Reseller.objects.filter(pk__in=live).order_by("name")
