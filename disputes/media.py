"""Who may read dispute evidence (the two parties and staff) and penalty evidence (the penalised organisation and staff)."""

from __future__ import annotations

from django.http import HttpRequest

from distribution.core.media import Allowed, is_staff, member_organisation_id

from .models import DisputeEvidence, PenaltyEvidence
from .selectors import dispute_for_viewer


def evidence_allowed(request: HttpRequest, item: DisputeEvidence) -> Allowed | None:
    if dispute_for_viewer(user=request.user, pk=item.dispute_id) is None:
        return None
    return Allowed(file=item.file, download_name=item.original_name, inline_image=True)


def dispute_evidence(request: HttpRequest, name: str) -> Allowed | None:
    item = DisputeEvidence.objects.filter(file=name).first()
    return None if item is None else evidence_allowed(request, item)


def penalty_evidence(request: HttpRequest, name: str) -> Allowed | None:
    item = PenaltyEvidence.objects.select_related("penalty").filter(file=name).first()
    if item is None or not (is_staff(request) or member_organisation_id(request) == item.penalty.organisation_id):
        return None
    return Allowed(file=item.file, download_name=name.rsplit("/", 1)[-1])
