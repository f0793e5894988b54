"""Forms for shipping templates, region groups, price breaks, price overrides, product lines and SKU order rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from distribution.core import divisions
from distribution.core.params import MAX_DB_INT
from suppliers.models import ShippingTemplate

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}
MONEY_ATTRS = {"step": "0.01"}
UNITS = {"min_value": 1, "max_value": MAX_DB_INT}


class ShippingTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "華東快遞"}))
    basis = forms.ChoiceField(label=_("Charged"), choices=ShippingTemplate.Basis.choices)
    free_above_amount = forms.DecimalField(
        label=_("Free shipping from (goods, CNY)"), required=False, **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS),
        help_text=_("Leave empty for no free shipping."),
    )  # fmt: skip
    unserved_provinces = forms.MultipleChoiceField(
        label=_("Regions not served"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unserved_provinces"].choices = divisions.province_choices()


class ShippingGroupForm(forms.Form):
    provinces = forms.MultipleChoiceField(
        label=_("Provinces"), required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Leave empty for everywhere no other group names."),
    )  # fmt: skip
    first_units = forms.IntegerField(label=_("First pieces / grams"), initial=1, **UNITS)
    first_fee = forms.DecimalField(label=_("First fee (CNY)"), **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS))
    additional_units = forms.IntegerField(label=_("Each additional pieces / grams"), initial=1, **UNITS)
    additional_fee = forms.DecimalField(label=_("Additional fee (CNY)"), **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = divisions.province_choices()


class SKUOrderRulesForm(forms.Form):
    min_order_quantity = forms.IntegerField(label=_("Minimum quantity per order"), initial=1, **UNITS)
    order_multiple = forms.IntegerField(label=_("Order in multiples of"), initial=1, **UNITS)


class PriceBreakForm(forms.Form):
    min_quantity = forms.IntegerField(label=_("From quantity"), min_value=2, max_value=MAX_DB_INT)
    unit_price = forms.DecimalField(label=_("Supply price (CNY)"), **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS))


class PriceOverrideForm(forms.Form):
    reseller = forms.TypedChoiceField(label=_("Reseller"), coerce=int)
    unit_price = forms.DecimalField(label=_("Supply price (CNY)"), **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS))

    def __init__(self, *args, resellers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reseller"].choices = [("", _("Choose…"))] + [(r.pk, r.name) for r in resellers]


class ProductLineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "VIP 限量款"}))
    products = forms.TypedMultipleChoiceField(
        label=_("Products"), coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 10})
    )
    tiers = forms.TypedMultipleChoiceField(label=_("Tiers who see them"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    resellers = forms.TypedMultipleChoiceField(
        label=_("Resellers who see them"), coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Everyone else sees nothing of these products: not in the catalog, the API, feeds or order forms."),
    )  # fmt: skip

    def __init__(self, *args, products=(), tiers=(), resellers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(p.pk, p.title) for p in products]
        self.fields["tiers"].choices = [(t.pk, t.name) for t in tiers]
        self.fields["resellers"].choices = [(r.pk, r.name) for r in resellers]
