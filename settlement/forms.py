"""Input validation for the settlement pages (no business rules: the services decide)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from distribution.core.uploads import DOCUMENT_IMAGE_MAX_PIXELS, extension, image_format, is_pdf

from .models import JournalTransaction

MAX_AMOUNT = Decimal("100000000.00")
RECEIPT_MAX_BYTES = 5 * 1024 * 1024
RECEIPT_TYPES = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "pdf": "PDF"}


def _amount_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )


class StatementFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *JournalTransaction.Kind.choices])

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data


def validate_receipt(upload) -> None:
    """A receipt is a JPEG, PNG, WebP image or a PDF of at most 5 MB, and really is what its name says."""
    if upload.size > RECEIPT_MAX_BYTES:
        raise ValidationError(_("The receipt must be at most 5 MB."))
    expected = RECEIPT_TYPES.get(extension(upload.name))
    if expected is None:
        raise ValidationError(_("Upload the receipt as a JPEG, PNG or WebP image, or a PDF."))
    if expected == "PDF":
        if not is_pdf(upload):
            raise ValidationError(_("This file is not a valid PDF."))
        return
    actual = image_format(upload, max_pixels=DOCUMENT_IMAGE_MAX_PIXELS)
    if actual is None:
        raise ValidationError(_("This file is not a valid image."))
    if actual != expected:
        raise ValidationError(_("The file's content does not match its extension."))


class TopUpForm(forms.Form):
    amount = _amount_field(_("Amount (CNY)"))
    payer_name = forms.CharField(label=_("Payer name"), max_length=120, help_text=_("The name on the account the money came from."))
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=64, help_text=_("The transaction number on your bank receipt."))
    receipt = forms.FileField(label=_("Receipt"), help_text=_("Photo, screenshot or PDF of the transfer, at most 5 MB."))

    def clean_receipt(self):
        upload = self.cleaned_data["receipt"]
        validate_receipt(upload)
        return upload


class WithdrawalForm(forms.Form):
    amount = _amount_field(_("Amount (CNY)"))
    account_name = forms.CharField(label=_("Account holder"), max_length=120)
    bank_name = forms.CharField(label=_("Bank"), max_length=120, help_text=_("Bank and branch, e.g. 中國工商銀行 上海分行."))
    account_number = forms.CharField(label=_("Account number"), max_length=40)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4().hex

    def clean_account_number(self):
        number = "".join(self.cleaned_data["account_number"].split())
        if not number.isdigit() or not 8 <= len(number) <= 30:
            raise ValidationError(_("Enter the account number as 8 to 30 digits."))
        return number


class RewardForm(forms.Form):
    reseller = forms.ModelChoiceField(label=_("Reseller"), queryset=None, empty_label=_("Choose a partnered reseller"))
    amount = _amount_field(_("Amount (CNY)"))
    note = forms.CharField(label=_("Note"), max_length=300, help_text=_("What the reward is for; the reseller sees it on its statement."))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, resellers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reseller"].queryset = resellers
        self.fields["token"].initial = uuid.uuid4().hex
