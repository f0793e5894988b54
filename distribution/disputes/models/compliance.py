"""Evidence attached to penalties (R6, R17); penalties are ``accounts.Penalty``."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Penalty


def penalty_evidence_upload_to(instance: PenaltyEvidence, filename: str) -> str:
    return f"penalties/{instance.penalty_id}/{filename}"


class PenaltyEvidence(models.Model):
    penalty = models.ForeignKey("accounts.Penalty", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=penalty_evidence_upload_to, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("penalty evidence")
        verbose_name_plural = _("penalty evidence")

    def __str__(self) -> str:
        return self.note or self.file.name


class Violation(Penalty):
    """Staff's workplace for penalties: the rule catalogue, evidence, the period in days."""

    class Meta:
        proxy = True
        verbose_name = _("violation (penalty)")
        verbose_name_plural = _("violations (penalties)")

    @property
    def rule_title(self) -> str:
        from ..rules import RULES

        rule = RULES.get(self.rule)
        return str(rule.title) if rule else ""
