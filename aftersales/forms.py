"""Input of the after-sales pages: the request form (a quantity per PO line) and the action forms.

Evidence is checked by content (``core.uploads.sniff``), as dispute evidence is.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from distribution.core import evidence as core_evidence
from procurement.carriers import OTHER, carrier_choices, carrier_name

from .models import AfterSale


class EvidenceField(core_evidence.EvidenceField):
    """The platform's evidence field (``distribution.core.evidence``), returning ``[(file, content_type)]``."""

    with_content_types = True


class AfterSaleOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask for?"), choices=AfterSale.Kind.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=AfterSale.Reason.choices)
    description = forms.CharField(label=_("Describe the problem"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(
        label=_("Amount asked back"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: the value of the goods chosen."),
    )
    evidence = EvidenceField()

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.po_lines = list(lines)
        for line in self.po_lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=f"{line.code} {line.title}", required=False, min_value=0, max_value=line.claimable, initial=0
            )

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data.get(f"qty_{line.pk}") or 0 for line in self.po_lines}

    def quantity_fields(self):
        return [(line, self[f"qty_{line.pk}"]) for line in self.po_lines]


class CarrierFields(forms.Form):
    """A carrier from the list (its name is stored) or ``other`` with free text."""

    carrier = forms.ChoiceField(label=_("Carrier"), choices=carrier_choices)
    carrier_other = forms.CharField(label=_("Other carrier"), max_length=50, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=50)

    def clean(self):
        data = super().clean()
        code = data.get("carrier")
        if code == OTHER:
            if not (data.get("carrier_other") or "").strip():
                self.add_error("carrier_other", _("Type the carrier's name."))
            data["carrier_name"] = (data.get("carrier_other") or "").strip()
        elif code:
            data["carrier_name"] = carrier_name(code)
        return data


class AmountNoteForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note to the reseller"), max_length=500, required=False)


class RestockForm(forms.Form):
    restock = forms.BooleanField(
        label=_("Put the returned goods back in stock"),
        required=False,
        initial=True,
        help_text=_("Untick when the goods cannot be sold again."),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    evidence = EvidenceField()
