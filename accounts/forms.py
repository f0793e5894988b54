"""Forms of the accounts app: the signup base (allauth + the agreement), invitations, roles. Input validation only.

The supplier and reseller signup forms subclass ``OrganisationSignupForm`` in their own apps."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm
from allauth.account.utils import filter_users_by_email
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from distribution.core.validators import normalise_phone

from .models import AgreementVersion, Invitation, Role, User
from .selectors import current_agreement


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

        agreement = current_agreement()
        if agreement is not None and not self.is_bound:
            self.fields["agreement_version"].initial = agreement.pk
        self.fields["email"].label = _("Email (your login)")
        order = ["email", "password1", "password2", *self.profile_fields, "agreement_version", "accept_agreement"]
        self.order_fields(order)

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.profile_fields}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.MANAGER, Role.MANAGER.label), (Role.STAFF, Role.STAFF.label)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.MANAGER, Role.MANAGER.label), (Role.STAFF, Role.STAFF.label)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class InvitationSignupForm(AgreementFieldsMixin, forms.Form):
    """An invitee without an account: name, password twice, the agreement."""

    full_name = forms.CharField(label=_("Your name"), max_length=120)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)

        self.invitation = invitation
        agreement = current_agreement()
        if agreement is not None and not self.is_bound:
            self.fields["agreement_version"].initial = agreement.pk

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


_PHONE_FIELDS = ("phone", "contact_phone")


def profile_form_class(model) -> type[forms.ModelForm]:
    """The company profile form of ``model`` (``Supplier`` or ``Reseller``): its ``PROFILE_FIELDS``;
    phone numbers normalised as at signup; the service checks the rest (choices, uniqueness)."""

    def formfield(field, **kwargs):
        if isinstance(field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return field.formfield(**kwargs)

    class ProfileForm(forms.ModelForm):
        class Meta:
            fields = model.PROFILE_FIELDS
            widgets = {"description": forms.Textarea(attrs={"rows": 3})}

        def clean(self):
            data = super().clean()
            for name in _PHONE_FIELDS:
                if data.get(name):
                    try:
                        data[name] = normalise_phone(data[name])
                    except ValidationError as exc:
                        self.add_error(name, exc)
            return data

        def _post_clean(self):  # no model validation here: the service validates and keeps legal fields pending
            pass

    ProfileForm.Meta.model = model
    return forms.modelform_factory(model, form=ProfileForm, fields=model.PROFILE_FIELDS, formfield_callback=formfield)
