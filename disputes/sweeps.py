"""The ``escalate_disputes`` sweep (R15): unresolved disputes go to platform staff at ``dispute_until``."""

from __future__ import annotations

import logging
from datetime import datetime

from distribution.core.errors import DomainError
from distribution.core.sweeps import SweepResult, due_ids

from .models import Dispute
from .services import dispute_escalate_due

logger = logging.getLogger(__name__)


def escalate_disputes(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """Escalate every open dispute whose negotiation window has ended. Idempotent."""
    result = SweepResult(name="escalate_disputes")
    due = Dispute.objects.filter(status=Dispute.Status.OPEN, dispute_until__lte=now)
    if dry_run:
        result.acted = [str(pk) for pk in due.values_list("pk", flat=True)]
        return result
    for batch in due_ids(due):
        for pk in batch:
            try:
                if dispute_escalate_due(dispute_id=pk, now=now) is not None:
                    result.acted.append(str(pk))
            except DomainError:
                logger.exception("escalate_disputes: dispute %s", pk)
                result.failed.append(str(pk))
    return result
