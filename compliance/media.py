"""Who may read penalty evidence: the penalised organisation and staff."""

from __future__ import annotations

from django.http import HttpRequest

from distribution.core.media import Allowed, is_staff, member_organisation_id

from .models import PenaltyEvidence


def penalty_evidence(request: HttpRequest, name: str) -> Allowed | None:
    item = PenaltyEvidence.objects.select_related("penalty").filter(file=name).first()
    if item is None or not (is_staff(request) or member_organisation_id(request) == item.penalty.organisation_id):
        return None
    return Allowed(file=item.file, download_name=name.rsplit("/", 1)[-1])
