"""Who may read a top-up receipt: the organisation that sent it and platform staff."""

from __future__ import annotations

from django.http import HttpRequest

from distribution.core.media import Allowed, is_staff, member_organisation_id

from .models import TopUpRequest


def top_up_receipt(request: HttpRequest, name: str) -> Allowed | None:
    top_up = TopUpRequest.objects.filter(receipt=name).first()
    if top_up is None or not (is_staff(request) or member_organisation_id(request) == top_up.organisation_id):
        return None
    return Allowed(file=top_up.receipt, download_name=f"receipt-{top_up.pk}.{name.rsplit('.', 1)[-1]}", inline_image=True)
