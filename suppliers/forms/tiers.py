"""Forms for tiers and cooperation terms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from distribution.core import divisions
from distribution.core.params import MAX_DB_INT
from suppliers.models import ChannelType

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}
MONEY_ATTRS = {"step": "0.01"}


class TierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"placeholder": "銀牌"}))
    discount_percent = forms.DecimalField(
        label=_("Discount on supply price (%)"), max_digits=5, decimal_places=2,
        min_value=Decimal("0"), max_value=Decimal("90"), widget=forms.NumberInput(attrs={"step": "0.01"}),
    )  # fmt: skip
    position = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=MAX_DB_INT, initial=0, required=False, widget=forms.NumberInput()
    )


class TermsForm(forms.Form):
    text = forms.CharField(label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    accepted_channel_types = forms.MultipleChoiceField(
        label=_("Accepted channel types"), choices=ChannelType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to accept every kind of shop."),
    )  # fmt: skip
    minimum_order_amount = forms.DecimalField(
        label=_("Minimum order (CNY)"), initial=Decimal("0"), **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS)
    )
    shipping_fee_amount = forms.DecimalField(
        label=_("Shipping fee per order (CNY)"), initial=Decimal("0"), **MONEY, widget=forms.NumberInput(attrs=MONEY_ATTRS)
    )
    shipping_regions = forms.MultipleChoiceField(
        label=_("Shipping regions"), required=False, help_text=_("Leave empty to ship nationwide."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip
    return_policy = forms.CharField(
        label=_("Return policy"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping_regions"].choices = divisions.province_choices()
