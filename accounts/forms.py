"""Forms of the accounts app: the two signup pages, invitations, roles. Input validation only."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm
from allauth.account.utils import filter_users_by_email
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from distribution.core.validators import normalise_phone, validate_credit_code

from .models import AgreementVersion, Invitation, Role, User


def _bootstrap(form: forms.BaseForm) -> None:
    """Give every widget Bootstrap's class (the templates render fields one by one)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class AgreementFieldsMixin(forms.Form):
    """The agreement shown on the page (its version travels with the form) and an unticked acceptance box."""

    agreement_version = forms.ModelChoiceField(
        queryset=AgreementVersion.objects.filter(published_at__isnull=False), widget=forms.HiddenInput
    )
    accept_agreement = forms.BooleanField(
        label=_("I have read and accept the platform user agreement (《分銷平台用戶協定》)."),
        required=True,
        initial=False,
        error_messages={"required": _("You must accept the user agreement to sign up.")},
    )

    def clean_agreement_version(self):
        from .selectors import current_agreement

        version = self.cleaned_data["agreement_version"]
        current = current_agreement()
        if current is None or version.pk != current.pk:
            raise ValidationError(_("A newer version of the agreement was published; please read it and accept again."))
        return version


class OrganisationSignupForm(AgreementFieldsMixin, SignupForm):
    """allauth's signup (email, password twice) plus the agreement; subclasses add the organisation's fields."""

    profile_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import current_agreement

        agreement = current_agreement()
        if agreement is not None and not self.is_bound:
            self.fields["agreement_version"].initial = agreement.pk
        self.fields["email"].label = _("Email (your login)")
        order = ["email", "password1", "password2", *self.profile_fields, "agreement_version", "accept_agreement"]
        self.order_fields(order)
        _bootstrap(self)

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.profile_fields}


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
        from suppliers.models import Supplier

        code = self.cleaned_data["credit_code"].strip().upper()
        validate_credit_code(code)
        if Supplier.objects.filter(credit_code=code).exists():
            raise ValidationError(_("A supplier with this unified social credit code is already registered."), code="duplicate")
        return code

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class ResellerSignupForm(OrganisationSignupForm):
    name = forms.CharField(label=_("Business name"), max_length=200)
    channel_type = forms.ChoiceField(label=_("Channel type"))
    store_name = forms.CharField(label=_("Store name"), max_length=200)
    store_url = forms.URLField(label=_("Store URL"), required=False, assume_scheme="https")
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)

    profile_fields = ("name", "channel_type", "store_name", "store_url", "contact_name", "contact_phone")

    def __init__(self, *args, **kwargs):
        from suppliers.models import ChannelType

        super().__init__(*args, **kwargs)
        self.fields["channel_type"].choices = [("", _("Choose…")), *ChannelType.choices]

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.MANAGER, Role.MANAGER.label), (Role.STAFF, Role.STAFF.label)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.MANAGER, Role.MANAGER.label), (Role.STAFF, Role.STAFF.label)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class InvitationSignupForm(AgreementFieldsMixin, forms.Form):
    """An invitee without an account: name, password twice, the agreement."""

    full_name = forms.CharField(label=_("Your name"), max_length=120)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import current_agreement

        self.invitation = invitation
        agreement = current_agreement()
        if agreement is not None and not self.is_bound:
            self.fields["agreement_version"].initial = agreement.pk
        _bootstrap(self)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=self.invitation.email, full_name=cleaned.get("full_name", "")))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class AgreementAcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and accept the agreement."),
        required=True,
        error_messages={"required": _("You must accept the agreement to continue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ResetPasswordForm(AllauthResetPasswordForm):
    """Password reset that answers the same whether or not the address has an account.

    allauth refuses an unknown address on the field unless ``ACCOUNT_PREVENT_ENUMERATION`` is on,
    which would also change signup (where "already registered" on the field is wanted, SPEC §7);
    so only this form skips the refusal. An unknown address gets allauth's "no account" email.
    """

    def clean_email(self):
        email = get_adapter().clean_email(self.cleaned_data["email"].lower())
        self.users = filter_users_by_email(email, is_active=True, prefer_verified=True)
        return self.cleaned_data["email"]
