"""Input validation for recruitment posts, applications, partnerships and messages (no business rules)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..models import ChannelType, Product, RecruitmentPost, Tier


def _tiers(supplier):
    return Tier.objects.filter(supplier=supplier).order_by("position", "id")


def _members(supplier):
    return get_user_model().objects.filter(membership__organisation_id=getattr(supplier, "pk", supplier), is_active=True).order_by("email")


class RecruitmentPostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("What you offer and whom you look for"), widget=forms.Textarea(attrs={"rows": 8}))
    accepted_channel_types = forms.MultipleChoiceField(
        label=_("Accepted channel types"),
        choices=ChannelType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to accept every kind of shop."),
    )
    tier = forms.ModelChoiceField(label=_("Tier offered"), queryset=Tier.objects.none())
    is_open = forms.BooleanField(label=_("Open for applications"), required=False, initial=True)

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = _tiers(supplier)

    @classmethod
    def initial_from(cls, post: RecruitmentPost) -> dict:
        return {
            "title": post.title,
            "body": post.body,
            "accepted_channel_types": post.accepted_channel_types,
            "tier": post.tier_id,
            "is_open": post.is_open,
        }


class ApplicationForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the supplier"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Introduce your shop: what you sell, your sales volume, why this supplier."),
    )


class ApproveForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.none())
    key_account_manager = forms.ModelChoiceField(
        label=_("Key-account manager"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = _tiers(supplier)
        self.fields["key_account_manager"].queryset = _members(supplier)


class ChangePartnershipForm(ApproveForm):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoticeForm(ReasonForm):
    ends_at = forms.DateTimeField(
        label=_("Partnership ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("Images or PDF, up to 10 MB each, at most 5 files.")
    )


class ThreadStartForm(MessageForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    product = forms.ModelChoiceField(label=_("About a product (optional)"), queryset=Product.objects.none(), required=False)
    po_number = forms.CharField(label=_("About a purchase order number (optional)"), max_length=40, required=False)

    field_order = ["subject", "product", "po_number", "body", "attachments"]

    def __init__(self, *args, supplier=None, listed_only: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if supplier is not None:
            products = Product.objects.filter(supplier=supplier)
            if listed_only:
                # a reseller may see (and ask about) only listed products, under their approved titles
                products = products.filter(status=Product.Status.LISTED)
                self.fields["product"].label_from_instance = lambda p: p.approved_title if p.has_pending_changes else p.title
            self.fields["product"].queryset = products.order_by("title")
