"""Landing page, the signed-in home router, and agreement re-acceptance."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from .selectors import current_agreement


class LandingView(TemplateView):
    template_name = "accounts/landing.html"


class HomeView(LoginRequiredMixin, TemplateView):
    """Where a signed-in user lands; shows the organisation's dashboard."""

    template_name = "accounts/home.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_staff and not request.membership:
            return redirect("admin:index")
        return super().get(request, *args, **kwargs)


class AgreementAcceptView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/agreement_accept.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["agreement"] = current_agreement()
        return ctx

    def post(self, request, *args, **kwargs):
        from .services import agreement_accept

        agreement = current_agreement()
        if agreement is not None and request.POST.get("accept") == "on":
            agreement_accept(user=request.user, version=agreement, ip_address=request.META.get("REMOTE_ADDR"))
            target = request.GET.get("next") or "/home/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/home/"
            return redirect(target)
        ctx = self.get_context_data(error=True)
        return self.render_to_response(ctx)
