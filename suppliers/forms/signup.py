"""The supplier signup page's form (R1, R2): allauth's signup, the agreement, the company profile."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import OrganisationSignupForm
from distribution.core.validators import normalise_phone, validate_credit_code
from suppliers.models import Supplier


class SupplierSignupForm(OrganisationSignupForm):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code (統一社會信用代碼)"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters, as printed on the business licence."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, help_text=_("Mobile or landline, e.g. 13800138000 or 021 6888 0000."))
    address = forms.CharField(label=_("Address"), max_length=300)
    description = forms.CharField(label=_("About the company"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    profile_fields = ("company_name", "credit_code", "contact_name", "phone", "address", "description")

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        validate_credit_code(code)
        if Supplier.objects.filter(credit_code=code).exists():
            raise ValidationError(_("A supplier with this unified social credit code is already registered."), code="duplicate")
        return code

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])
