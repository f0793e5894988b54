"""Who may read after-sales evidence: the request's two parties and staff."""

from __future__ import annotations

from django.http import HttpRequest

from distribution.core.media import Allowed, is_staff, member_organisation_id

from .models import AfterSaleEvidence


def after_sale_evidence(request: HttpRequest, name: str) -> Allowed | None:
    item = AfterSaleEvidence.objects.select_related("after_sale").filter(file=name).first()
    if item is None:
        return None
    org = member_organisation_id(request)
    if not (is_staff(request) or org in (item.after_sale.reseller_id, item.after_sale.supplier_id)):
        return None
    return Allowed(file=item.file, download_name=item.original_name, inline_image=True)
