"""Input validation for the resellers' pages (no business rules here)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import OrganisationSignupForm
from distribution.core.divisions import province_choices
from distribution.core.params import MAX_DB_BIGINT
from distribution.core.validators import normalise_phone
from suppliers.models import Category, ChannelType, Supplier

from .markup import DEFAULT_FACTOR, MarkupRule
from .models import Platform
from .search import visible_suppliers

SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
]


class CatalogSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False)
    province = forms.ChoiceField(label=_("Goods location"), required=False)
    price_min = forms.DecimalField(label=_("Price from"), required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)
    price_max = forms.DecimalField(label=_("Price to"), required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2)
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.none(), required=False)
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    my_channel = forms.BooleanField(label=_("Accepts my channel type"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("Anywhere"))] + province_choices()
        # Only suppliers whose products resellers may see (not suspended, no suspend_listing penalty).
        self.fields["supplier"].queryset = visible_suppliers()

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The upper price must not be below the lower price."))
        return data


class RetailPriceForm(forms.Form):
    retail_price = forms.DecimalField(
        label=_("Retail price"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2,
        error_messages={"invalid": _("Enter a retail price in yuan with at most two decimals.")},
    )


class MarkupRuleForm(forms.Form):
    rule = forms.ChoiceField(label=_("Price rule"), choices=MarkupRule.choices, initial=MarkupRule.SUGGESTED)
    factor = forms.DecimalField(
        label=_("Factor"), initial=DEFAULT_FACTOR, min_value=Decimal("1.00"), max_value=Decimal("10.00"), max_digits=4, decimal_places=2,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_factor(self):
        return self.cleaned_data.get("factor") or DEFAULT_FACTOR


class StoreListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), ("published", _("Published")), ("unpublished", _("Unpublished"))]
    )
    flagged = forms.BooleanField(label=_("Needs attention"), required=False)
    supplier = forms.IntegerField(required=False, min_value=1, max_value=MAX_DB_BIGINT, widget=forms.HiddenInput)
    shop = forms.IntegerField(required=False, min_value=1, max_value=MAX_DB_BIGINT, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class ResellerSignupForm(OrganisationSignupForm):
    name = forms.CharField(label=_("Business name"), max_length=200)
    channel_type = forms.ChoiceField(label=_("Channel type"))
    store_name = forms.CharField(label=_("Store name"), max_length=200)
    store_url = forms.URLField(label=_("Store URL"), required=False, assume_scheme="https")
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)

    profile_fields = ("name", "channel_type", "store_name", "store_url", "contact_name", "contact_phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel_type"].choices = [("", _("Choose…")), *ChannelType.choices]

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])


class ShopForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=200)
    channel_type = forms.ChoiceField(label=_("Channel type"), choices=ChannelType.choices)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    url = forms.URLField(label=_("Shop URL"), required=False, assume_scheme="https")


class ItemCodeForm(forms.Form):
    item_code = forms.CharField(label=_("Shop item code"), max_length=64)
