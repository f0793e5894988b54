"""The filters every report takes: a date range (Asia/Shanghai dates), a grouping and optional filters."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 731
DEFAULT_DAYS = 30


class ListSelect(forms.Select):
    """A ``<select>`` written in one pass instead of one template per option: a supplier's
    reseller filter has hundreds of options, and Django's per-option templates took ~100 ms
    of the report page at 200 of them. Same markup (the renderer's ``form-select`` class, id, name)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = format_html_join(
            "", "<option value=\"{}\"{}>{}</option>",
            ((v, mark_safe(" selected") if str(v) in selected else "", label) for v, label in self.choices),
        )  # fmt: skip
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options)


class ReportFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label=_("Group by"), required=False, choices=(), widget=ListSelect)
    period = forms.ChoiceField(
        label=_("Period"), required=False, choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))], widget=ListSelect
    )
    reseller = forms.IntegerField(label=_("Reseller"), required=False, min_value=1, widget=ListSelect)
    supplier = forms.IntegerField(label=_("Supplier"), required=False, min_value=1, widget=ListSelect)
    shop = forms.IntegerField(label=_("Shop"), required=False, min_value=1, widget=ListSelect)
    sku = forms.IntegerField(label=_("SKU"), required=False, min_value=1, max_value=2**31 - 1)
    mine = forms.BooleanField(label=_("My accounts only"), required=False)

    def __init__(self, *args, groups=(), keep=(), choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(groups)
        for name in list(self.fields):
            if name not in ("date_from", "date_to", *keep):
                del self.fields[name]
        for name, options in (choices or {}).items():
            if name in self.fields:
                self.fields[name].widget.choices = [("", _("All")), *options]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date must not be before the start date."))
        elif date_from and date_to and (date_to - date_from).days > MAX_DAYS:
            self.add_error("date_to", _("Choose at most two years."))
        return cleaned

    def values(self) -> dict:
        """The cleaned filters, or the defaults (the last 30 days) for whatever is missing or invalid."""
        cleaned = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        date_to = cleaned.get("date_to") or today
        date_from = cleaned.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
            date_to, date_from = today, today - timedelta(days=DEFAULT_DAYS - 1)
        group_choices = [c[0] for c in self.fields["group"].choices] if "group" in self.fields else []
        return {
            "date_from": date_from,
            "date_to": date_to,
            "group": cleaned.get("group") or (group_choices[0] if group_choices else ""),
            "period": cleaned.get("period") or "day",
            "reseller": cleaned.get("reseller"),
            "supplier": cleaned.get("supplier"),
            "shop": cleaned.get("shop"),
            "sku": cleaned.get("sku"),
            "mine": bool(cleaned.get("mine")),
        }
