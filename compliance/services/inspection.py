"""Staff turn inspection findings (巡查, R7/R17) into penalties with one action.

The supplier's own warning about findings is ``resellers.services.inspection_warning_send``
(a notification, not a platform penalty). A finding is penalised at most once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Penalty
from distribution.core.audit import audit
from distribution.core.errors import PermissionDenied
from resellers.models import InspectionFinding

from ..models import FindingPenalty
from .penalties import penalty_record

FINDING_RULE = {"price_out_of_range": "R7", "location_mismatch": "R7", "delisted_sku": "R7"}


def penalty_from_findings(
    *, actor, finding_ids: list[int], sanction: str = Penalty.Sanction.WARNING, days: int | None = None, now: datetime | None = None
) -> list[Penalty]:
    """One penalty per reseller for its selected open, not yet penalised findings. Idempotent per finding."""
    now = now or timezone.now()
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff record violations."))
    made: list[Penalty] = []
    with transaction.atomic():
        findings = list(
            InspectionFinding.objects.select_for_update()
            .filter(pk__in=list(finding_ids), resolved_at__isnull=True)
            .exclude(pk__in=FindingPenalty.objects.values("finding_id"))
            .select_related("reseller__organisation", "listing__sku")
            .order_by("pk")
        )
        by_reseller: dict[int, list] = defaultdict(list)
        for finding in findings:
            by_reseller[finding.reseller_id].append(finding)
        for reseller_findings in by_reseller.values():
            reseller = reseller_findings[0].reseller
            lines = [
                f"· {f.get_kind_display()} — {getattr(f.listing.sku, 'code', f.listing_id)} ({f.found_at:%Y-%m-%d})"
                for f in reseller_findings
            ]
            rule = FINDING_RULE.get(reseller_findings[0].kind, "R7")
            penalty = penalty_record(
                actor=actor,
                organisation=reseller.organisation,
                rule=rule,
                description=_("Inspection findings:") + "\n" + "\n".join(lines),
                sanction=sanction,
                days=days,
                evidence_note=_("Inspection findings #%(ids)s") % {"ids": ", #".join(str(f.pk) for f in reseller_findings)},
                now=now,
            )
            FindingPenalty.objects.bulk_create([FindingPenalty(finding=f, penalty=penalty) for f in reseller_findings])
            audit(
                actor=actor,
                action="inspection.penalised",
                obj=penalty,
                organisation=reseller.organisation,
                summary=f"{len(reseller_findings)} finding(s)",
                data={"findings": [f.pk for f in reseller_findings]},
            )
            made.append(penalty)
    return made
