"""Landing page, home router, the two signup pages, agreement re-acceptance, organisation
members and invitations, notifications. Views are thin: they check who is asking, validate
a form, call one service, then message and redirect."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.internal import flows
from allauth.account.views import SignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.pagination import paginate
from distribution.core.permissions import OrganisationMemberMixin, OrganisationOwnerMixin, OwnerOrManagerMixin
from distribution.core.redirects import redirect_next, safe_next

from . import profile, selectors, services
from .forms import (
    AgreementAcceptForm,
    InvitationForm,
    InvitationSignupForm,
    RoleForm,
    profile_form_class,
)
from .models import Invitation, Membership, Organisation, ProfileChange, User


def client_of(request) -> dict:
    return {
        "ip_address": get_adapter().get_client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


class LandingView(TemplateView):
    template_name = "accounts/landing.html"


class HomeView(LoginRequiredMixin, TemplateView):
    """Where a signed-in user lands: the dashboard of their organisation's kind; staff go to admin."""

    def get(self, request, *args, **kwargs):
        if request.user.is_staff and not request.membership:
            return redirect("admin:index")
        return super().get(request, *args, **kwargs)

    def get_template_names(self) -> list[str]:
        membership = self.request.membership
        if not membership:
            return ["accounts/home_no_organisation.html"]
        return [f"accounts/home_{membership.organisation.kind}.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        membership = self.request.membership
        if membership:
            organisation = membership.organisation
            if organisation.is_supplier:
                ctx["supplier"] = getattr(organisation, "supplier", None)
            else:
                ctx["reseller"] = getattr(organisation, "reseller", None)
            ctx["member_count"] = organisation.memberships.count()
        ctx["latest_notifications"] = list(selectors.user_notifications(self.request.user)[:5])
        return ctx


class SignupChoiceView(TemplateView):
    """``/accounts/signup/``: a visitor chooses the supplier or the reseller signup page."""

    template_name = "accounts/signup_choice.html"


class OrganisationSignupView(SignupView):
    """allauth's signup plus one organisation: user, organisation, owner membership, profile and
    agreement acceptance are created in one transaction (a failure leaves nothing)."""

    template_name = "accounts/signup_organisation.html"
    kind: str = ""

    def get_form_class(self):
        # Deliberately not allauth's ACCOUNT_FORMS lookup: each page has its own form.
        return self.form_class

    def register(self, *, user, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                user, response = form.try_save(self.request)
                if response is not None:
                    return response
                self.register(user=user, form=form)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        self.user = user
        return flows.signup.complete_signup(self.request, user=user, redirect_url=self.get_success_url())

    def get_success_url(self):
        return reverse("home")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agreement = selectors.current_agreement()
        ctx["kind"] = self.kind
        ctx["agreement"] = agreement
        ctx["agreement_text"] = agreement.text_for(self.kind) if agreement else ""
        return ctx


class AgreementAcceptView(LoginRequiredMixin, TemplateView):
    """Re-acceptance of a newly published agreement version (AgreementMiddleware sends members here)."""

    template_name = "accounts/agreement_accept.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agreement = selectors.current_agreement()
        membership = self.request.membership
        ctx["agreement"] = agreement
        ctx["kind"] = membership.organisation.kind if membership else ""
        if agreement is not None:
            if membership:
                ctx["texts"] = [(membership.organisation.get_kind_display(), agreement.text_for(membership.organisation.kind))]
            else:
                ctx["texts"] = [
                    (Organisation.Kind.SUPPLIER.label, agreement.supplier_text),
                    (Organisation.Kind.RESELLER.label, agreement.reseller_text),
                ]
        ctx.setdefault("form", AgreementAcceptForm())
        ctx["next"] = safe_next(self.request, reverse("home"))
        ctx["already_accepted"] = agreement is not None and not selectors.user_must_accept_agreement(self.request.user)
        return ctx

    def post(self, request, *args, **kwargs):
        agreement = selectors.current_agreement()
        form = AgreementAcceptForm(request.POST)
        if agreement is None:
            return redirect("home")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.agreement_accept(user=request.user, version=agreement, **client_of(request))
        messages.success(request, _("Thank you: you accepted version %(v)s of the user agreement.") % {"v": agreement.version})
        return redirect_next(request, reverse("home"))


# --- organisation members and invitations ---------------------------------------------------


class OrganisationView(OrganisationMemberMixin, TemplateView):
    """Members of the asking user's organisation; the owner invites, changes roles, removes, revokes."""

    template_name = "accounts/organisation_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        is_owner = self.membership.role == "owner"
        ctx.update(
            members=list(selectors.organisation_members(self.organisation)),
            invitations=list(selectors.organisation_open_invitations(self.organisation)) if is_owner else [],
            is_owner=is_owner,
            role_form=RoleForm(),
        )
        ctx.setdefault("invite_form", InvitationForm())
        return ctx


class ProfileEditView(OwnerOrManagerMixin, TemplateView):
    """``/organisation/profile/``: the owner or a manager edits the company profile (R2). Legal
    fields wait for staff review (shown as pending, the live values unchanged); the rest apply at once."""

    template_name = "accounts/profile_form.html"

    def _profile(self):
        company = profile.profile_of(self.organisation)
        if company is None:
            raise Http404
        return company

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        company = self._profile()
        model = type(company)
        ctx.setdefault("form", profile_form_class(model)(instance=company))
        pending = profile.pending_change(self.organisation)
        ctx.update(
            company=company,
            pending=pending,
            pending_rows=[
                (model._meta.get_field(name).verbose_name, values["from"], values["to"]) for name, values in pending.changes.items()
            ] if pending else [],
            legal=", ".join(str(model._meta.get_field(name).verbose_name) for name in model.LEGAL_FIELDS),
            last_rejected=self.organisation.profile_changes.filter(status=ProfileChange.Status.REJECTED).first() if not pending else None,
        )
        return ctx

    def post(self, request, *args, **kwargs):
        company = self._profile()
        form = profile_form_class(type(company))(request.POST, instance=company)
        if form.is_valid():
            try:
                change = profile.profile_update(actor=request.user, organisation=self.organisation, data=form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                held = [name for name in (change.changes if change else ()) if name in form.changed_data]
                if held:
                    labels = ", ".join(str(type(company)._meta.get_field(name).verbose_name) for name in held)
                    messages.success(request, _("Saved. %(fields)s will change once platform staff approve them.") % {"fields": labels})
                else:
                    messages.success(request, _("Company profile saved."))
                return redirect("accounts:profile")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProfileChangeWithdrawView(OwnerOrManagerMixin, View):
    def post(self, request, pk: int):
        change = get_object_or_404(ProfileChange, pk=pk, organisation=self.organisation)
        try:
            profile.profile_change_withdraw(actor=request.user, change=change)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The pending change was withdrawn."))
        return redirect("accounts:profile")


class InvitationCreateView(OrganisationOwnerMixin, View):
    def post(self, request, *args, **kwargs):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_create(actor=request.user, organisation=self.organisation, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("accounts:organisation")
        view = OrganisationView()
        view.setup(request)
        view.membership, view.organisation = self.membership, self.organisation
        return view.render_to_response(view.get_context_data(invite_form=form), status=400)


class InvitationRevokeView(OrganisationOwnerMixin, View):
    def post(self, request, pk: int):
        invitation = get_object_or_404(Invitation, pk=pk, organisation=self.organisation)
        try:
            services.invitation_revoke(actor=request.user, invitation=invitation)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
        return redirect("accounts:organisation")


class MemberRoleView(OrganisationOwnerMixin, View):
    def post(self, request, pk: int):
        membership = get_object_or_404(Membership, pk=pk, organisation=self.organisation)
        form = RoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose manager or staff."))
            return redirect("accounts:organisation")
        try:
            services.membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Role of %(email)s changed.") % {"email": membership.user.email})
        return redirect("accounts:organisation")


class MemberRemoveView(OrganisationOwnerMixin, View):
    def post(self, request, pk: int):
        membership = get_object_or_404(Membership, pk=pk, organisation=self.organisation)
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(email)s was removed from the organisation.") % {"email": membership.user.email})
        return redirect("accounts:organisation")


class InvitationAcceptView(TemplateView):
    """The invitee's page: sign up with a password, or (signed in with the invited address and no
    organisation) join; otherwise explain what to do."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, token: str, *args, **kwargs):
        self.invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
        return super().dispatch(request, *args, **kwargs)

    def _state(self) -> str:
        request, invitation = self.request, self.invitation
        if not invitation.is_open():
            return "closed"
        if request.user.is_authenticated:
            if request.user.email.lower() != invitation.email.lower():
                return "other_user"
            if request.membership:
                return "has_organisation"
            return "join"
        if User.objects.filter(email__iexact=invitation.email).exists():
            return "log_in"
        return "sign_up"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        state = self._state()
        agreement = selectors.current_agreement()
        ctx.update(
            invitation=self.invitation,
            state=state,
            agreement=agreement,
            agreement_text=agreement.text_for(self.invitation.organisation.kind) if agreement else "",
            login_url=f"{reverse('account_login')}?next={self.request.path}",
        )
        if state == "closed":
            inv = self.invitation
            ctx["closed_reason"] = (
                _("This invitation was revoked. Ask the owner for a new one.") if inv.revoked_at
                else _("This invitation was already used.") if inv.accepted_at
                else _("This invitation has expired. Ask the owner for a new one.")
            )
        if state == "sign_up":
            ctx.setdefault("form", InvitationSignupForm(invitation=self.invitation))
        return ctx

    def get(self, request, *args, **kwargs):
        ctx = self.get_context_data()
        return self.render_to_response(ctx, status=410 if ctx["state"] == "closed" else 200)

    def post(self, request, *args, **kwargs):
        state = self._state()
        try:
            if state == "join":
                services.invitation_accept(user=request.user, invitation=self.invitation)
                messages.success(request, _("You joined %(org)s.") % {"org": self.invitation.organisation.name})
                return redirect("home")
            if state == "sign_up":
                form = InvitationSignupForm(request.POST, invitation=self.invitation)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form), status=400)
                membership = services.invitation_signup(
                    invitation=self.invitation,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                    agreement=form.cleaned_data["agreement_version"],
                    **client_of(request),
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome! You joined %(org)s.") % {"org": membership.organisation.name})
                return redirect("home")
        except DomainError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(request.path)


# --- notifications --------------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/notification_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page_obj"] = paginate(self.request, selectors.user_notifications(self.request.user))
        return ctx


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one notification (``pk``) or all of them read; open its link when it has one."""

    def post(self, request, pk: int | None = None):
        if pk is None:
            services.notification_mark_read(user=request.user)
            return redirect("accounts:notifications")
        notification = get_object_or_404(selectors.user_notifications(request.user), pk=pk)
        services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
        url = notification.url
        if request.POST.get("open") and url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            return redirect(url)
        return redirect("accounts:notifications")


# --- language --------------------------------------------------------------------------------


def set_language(request):
    """Django's language switcher, and the signed-in user's choice remembered for their emails."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response
