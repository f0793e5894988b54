"""Input validation for violation and rebate forms (no business rules here)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Penalty
from distribution.core.evidence import EvidenceField, MoneyField

from .rules import RULE_CHOICES


class ViolationForm(forms.ModelForm):
    """Admin form for recording a violation: the rule from the catalogue, the period in days, evidence."""

    rule = forms.ChoiceField(label=_("Rule broken"), choices=RULE_CHOICES)
    days = forms.IntegerField(
        label=_("Period (days)"), required=False, min_value=1, max_value=3650, help_text=_("Empty for a warning without end.")
    )
    evidence_files = EvidenceField(label=_("Evidence files"))
    evidence_note = forms.CharField(label=_("Evidence note"), required=False, max_length=300)

    class Meta:
        model = Penalty
        fields = ["organisation", "rule", "description", "sanction", "starts_at"]

    def clean(self):
        data = super().clean()
        if data.get("sanction") and data["sanction"] != Penalty.Sanction.WARNING and not data.get("days"):
            self.add_error("days", _("A suspension or removal needs a period in days."))
        return data


class RebateRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput())
    percent = forms.DecimalField(
        label=_("Rebate %"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("50"),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    threshold_amount = MoneyField(label=_("Above a monthly completed value of"))
    reseller = forms.TypedChoiceField(
        label=_("Reseller"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs={})
    )

    def __init__(self, *args, resellers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reseller"].choices = [("", _("Every reseller")), *[(r.pk, r.name) for r in resellers]]
