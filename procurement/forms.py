"""Forms for purchase orders: input shape only; the services enforce the rules."""

from __future__ import annotations

import csv
import io

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from distribution.core import divisions


class AddressForm(forms.Form):
    """The consumer address (R12). Field names match the API's ``shipping_address`` keys."""

    recipient = forms.CharField(label=_("Recipient"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    province = forms.ChoiceField(label=_("Province"))
    city = forms.ChoiceField(label=_("City"))
    district = forms.ChoiceField(label=_("District"), required=False)
    street = forms.CharField(label=_("Street address"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=6, min_length=6)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        province = self.data.get(self.add_prefix("province")) or self.initial.get("province") or ""
        city = self.data.get(self.add_prefix("city")) or self.initial.get("city") or ""
        self.fields["province"].choices = [("", _("Choose…"))] + divisions.province_choices()
        self.fields["city"].choices = [("", _("Choose…"))] + (
            [(d.code, d.name) for d in divisions.cities(province)] if divisions.is_province(province) else []
        )
        self.fields["district"].choices = [("", _("Choose…"))] + (
            [(d.code, d.name) for d in divisions.districts(city)] if divisions.is_city(city) else []
        )
        url = reverse_lazy("procurement:address_fields")
        for name in ("province", "city"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": url,
                    "hx-trigger": "change",
                    "hx-target": "#address-fields",
                    "hx-swap": "outerHTML",
                    "hx-include": "#address-fields",
                    "hx-vals": f'{{"changed": "{name}"}}',
                }
            )
        self.fields["mobile"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["postal_code"].widget.attrs.update({"inputmode": "numeric"})

    def address(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k, "") or "" for k in self.fields}


class PasteAddressForm(forms.Form):
    text = forms.CharField(label=_("Paste an address"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PlaceOrderForm(forms.Form):
    consumer_order_ref = forms.CharField(label=_("Consumer order number (from your shop)"), max_length=64)
    note = forms.CharField(label=_("Note to the supplier"), max_length=500, required=False)
    save_address = forms.BooleanField(label=_("Save this address to my address book"), required=False)
    # sent by the "Place it anyway" button when POs for this consumer order exist already
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ShipForm(forms.Form):
    # a listed carrier's name (``<datalist id="carriers">``) or any other carrier's
    carrier = forms.CharField(label=_("Carrier"), max_length=50, widget=forms.TextInput(attrs={"list": "carriers"}))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=50)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class BulkShipForm(forms.Form):
    """A CSV of ``number,carrier,tracking_number`` (a header row is allowed)."""

    file = forms.FileField(label=_("CSV file (PO number, carrier, tracking number)"))

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Save the file as UTF-8 CSV.")) from None
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
        if rows and rows[0] and rows[0][0].strip().lower() in {"number", "po number", "po", "採購單號", "采购单号"}:
            rows = rows[1:]
        if not rows:
            raise forms.ValidationError(_("The file has no rows."))
        if len(rows) > 1000:
            raise forms.ValidationError(_("Upload at most 1000 rows at a time."))
        return rows
