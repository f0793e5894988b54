"""Who may read dispute evidence: the two parties and staff."""

from __future__ import annotations

from django.http import HttpRequest

from distribution.core.media import Allowed

from .models import DisputeEvidence
from .selectors import dispute_for_viewer


def evidence_allowed(request: HttpRequest, item: DisputeEvidence) -> Allowed | None:
    if dispute_for_viewer(user=request.user, pk=item.dispute_id) is None:
        return None
    return Allowed(file=item.file, download_name=item.original_name, inline_image=True)


def dispute_evidence(request: HttpRequest, name: str) -> Allowed | None:
    item = DisputeEvidence.objects.filter(file=name).first()
    return None if item is None else evidence_allowed(request, item)
