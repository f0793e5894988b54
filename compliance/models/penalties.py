"""Evidence attached to penalties (R6, R17), staff's violation workplace, penalised inspection findings.

Penalties themselves are ``accounts.Penalty``. The tables kept their ``disputes_`` names when
these models moved here from ``disputes`` (``db_table``), so no data moved.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Penalty
from distribution.core.media import RandomName
from resellers.models import InspectionFinding

from ..rules import RULES


class PenaltyEvidence(models.Model):
    penalty = models.ForeignKey("accounts.Penalty", on_delete=models.CASCADE, related_name="evidence", verbose_name=_("penalty"))
    file = models.FileField(_("file"), upload_to=RandomName("penalties"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        db_table = "disputes_penaltyevidence"
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
        rule = RULES.get(self.rule)
        return str(rule.title) if rule else ""


class FindingPenalty(models.Model):
    """Which penalty an inspection finding was turned into (at most one)."""

    finding = models.OneToOneField(
        "resellers.InspectionFinding", on_delete=models.CASCADE, related_name="penalty_link", verbose_name=_("finding")
    )
    penalty = models.ForeignKey("accounts.Penalty", on_delete=models.CASCADE, related_name="finding_links", verbose_name=_("penalty"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        db_table = "disputes_findingpenalty"
        verbose_name = _("penalised finding")
        verbose_name_plural = _("penalised findings")

    def __str__(self) -> str:
        return f"{self.finding_id} → {self.penalty_id}"


class FindingReview(InspectionFinding):
    """Staff's view of inspection findings, with the one action that turns them into a penalty."""

    class Meta:
        proxy = True
        verbose_name = _("inspection finding to review")
        verbose_name_plural = _("inspection findings to review")
