"""Input validation for the API settings page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .webhooks import SUBSCRIBABLE_TYPES


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Where the key is used, e.g. “Taobao shop sync”."))


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"), max_length=500, assume_scheme="https", help_text=_("We POST signed JSON events to this address.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(t, t) for t in SUBSCRIBABLE_TYPES],
        widget=forms.CheckboxSelectMultiple,
        initial=SUBSCRIBABLE_TYPES,
    )
