"""Writes for violations (penalties) and their evidence (R6, R17)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Penalty
from accounts.services import notify_organisation
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.evidence import validate_evidence_files

from .. import text_kinds as _text_kinds  # noqa: F401 (registers the kinds these services write)
from ..models import PenaltyEvidence
from ..rules import RULES


def penalty_record(
    *,
    actor,
    organisation: Organisation,
    rule: str,
    description: str,
    sanction: str = Penalty.Sanction.WARNING,
    days: int | None = None,
    starts_at: datetime | None = None,
    evidence_files: list | None = None,
    evidence_note: str = "",
    now: datetime | None = None,
) -> Penalty:
    """Record a violation by ``organisation`` (staff only): the rule, the sanction and its period.

    ``days`` None means the sanction has no end (a warning stays on the record).
    """
    now = now or timezone.now()
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff record violations."))
    if rule not in RULES:
        raise ValidationFailed(_("Choose a rule of the agreement."), field="rule")
    if not (description or "").strip():
        raise ValidationFailed(_("Describe the violation."), field="description")
    if sanction not in Penalty.Sanction.values:
        raise ValidationFailed(_("Choose a sanction."), field="sanction")
    if days is not None and days < 1:
        raise ValidationFailed(_("The period is at least one day."), field="days")
    if sanction != Penalty.Sanction.WARNING and days is None:
        raise ValidationFailed(_("A suspension or removal needs a period in days."), field="days")
    try:
        checked = validate_evidence_files(list(evidence_files or []))
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="evidence")
    starts_at = starts_at or now
    with transaction.atomic():
        penalty = Penalty.objects.create(
            organisation=organisation,
            rule=rule,
            description=description.strip(),
            sanction=sanction,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=days) if days else None,
            created_by=actor,
        )
        for upload, _content_type in checked:
            PenaltyEvidence.objects.create(penalty=penalty, file=upload, note=evidence_note[:300])
        if not checked and evidence_note.strip():
            PenaltyEvidence.objects.create(penalty=penalty, note=evidence_note.strip()[:300])
        audit(
            actor=actor,
            action="penalty.recorded",
            obj=penalty,
            organisation=organisation,
            summary=f"{rule} {sanction} {days or '-'}d",
            data={"rule": rule, "sanction": sanction, "days": days, "starts_at": starts_at.isoformat()},
        )
        notify_organisation(
            organisation=organisation,
            kind="penalty.recorded",
            params={"rule": rule, "description": description.strip()},
            url="/compliance/",
        )
    return penalty


def penalty_revoke(*, actor, penalty: Penalty, reason: str = "", now: datetime | None = None) -> Penalty:
    now = now or timezone.now()
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff revoke penalties."))
    with transaction.atomic():
        penalty = Penalty.objects.select_for_update().get(pk=penalty.pk)
        if penalty.revoked_at is not None:
            raise InvalidState(_("This penalty was already revoked."))
        penalty.revoked_at = now
        penalty.save(update_fields=["revoked_at"])
        audit(actor=actor, action="penalty.revoked", obj=penalty, organisation=penalty.organisation, summary=reason[:500])
    return penalty
