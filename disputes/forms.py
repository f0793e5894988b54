"""Input validation for dispute forms (no business rules here)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Penalty
from compliance.rules import RULE_CHOICES
from distribution.core.evidence import EvidenceField, MoneyField

from .models import Dispute


class DisputeOpenForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Dispute.Reason.choices, widget=forms.Select(attrs={}))
    requested_amount = MoneyField(label=_("Amount asked back"))
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    evidence = EvidenceField()

    def __init__(self, *args, total: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.total = total
        self.fields["requested_amount"].widget.attrs["max"] = str(total)
        self.fields["requested_amount"].help_text = _("More than 0.00 and at most the purchase order total, %(total)s.") % {"total": total}

    def clean_requested_amount(self):
        amount = self.cleaned_data["requested_amount"]
        if amount <= 0:
            raise ValidationError(_("The amount asked back must be more than 0.00."))
        if amount > self.total:
            raise ValidationError(_("The amount asked back cannot exceed the purchase order total (%(total)s).") % {"total": self.total})
        return amount


class DisputeMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = EvidenceField()

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("evidence"):
            raise ValidationError(_("Write a message or attach evidence."))
        return data


class DisputeOfferForm(forms.Form):
    refund_amount = MoneyField(label=_("Refund to the reseller"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.TextInput())

    def __init__(self, *args, held: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.held = held
        self.fields["refund_amount"].widget.attrs["max"] = str(held)
        self.fields["refund_amount"].help_text = _("The rest of the %(held)s held goes to the supplier.") % {"held": held}

    def clean_refund_amount(self):
        amount = self.cleaned_data["refund_amount"]
        if amount > self.held:
            raise ValidationError(_("The refund cannot exceed the amount held, %(held)s.") % {"held": self.held})
        return amount


class DisputeDecisionForm(forms.Form):
    refund_amount = MoneyField(label=_("Refund to the reseller"))
    release_amount = MoneyField(label=_("Release to the supplier"))
    decision = forms.CharField(
        label=_("Written decision (shown to both sides)"), widget=forms.Textarea(attrs={"rows": 5})
    )
    at_fault = forms.ChoiceField(
        label=_("Party at fault"),
        required=False,
        choices=[("", _("Nobody")), ("reseller", _("Reseller")), ("supplier", _("Supplier"))],
    )
    penalty_sanction = forms.ChoiceField(
        label=_("Penalty on the party at fault"), required=False, choices=[("", _("No penalty")), *Penalty.Sanction.choices]
    )
    penalty_rule = forms.ChoiceField(label=_("Rule broken"), choices=RULE_CHOICES, initial="R15")
    penalty_days = forms.IntegerField(label=_("Penalty period (days)"), required=False, min_value=1, max_value=3650)

    def __init__(self, *args, held: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.held = held

    def clean(self):
        data = super().clean()
        refund, release = data.get("refund_amount"), data.get("release_amount")
        if refund is not None and release is not None and refund + release != self.held:
            self.add_error(
                "release_amount",
                _("Refund %(refund)s + release %(release)s must add up to the amount held in escrow, %(held)s.")
                % {"refund": refund, "release": release, "held": self.held},
            )
        if data.get("penalty_sanction") and not data.get("at_fault"):
            self.add_error("at_fault", _("Choose the party at fault to penalise."))
        if data.get("penalty_sanction") not in ("", None, Penalty.Sanction.WARNING) and not data.get("penalty_days"):
            self.add_error("penalty_days", _("A suspension or removal needs a period in days."))
        return data
