"""The compliance pages: an organisation's violations, suppliers' rebates and rewards, rewards received (R6, R17)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Organisation, Penalty
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.pagination import paginate
from distribution.core.params import parse_id
from distribution.core.permissions import OrganisationMemberMixin, ResellerMemberMixin, SupplierManagerMixin, SupplierMemberMixin
from settlement import selectors as settlement_selectors
from settlement.forms import RewardForm
from settlement.models import Reward

from . import selectors
from .forms import RebateRuleForm
from .models import ProposedRebate, RebateRule
from .rules import RULES
from .services import rebates as services_rebates


class ComplianceView(OrganisationMemberMixin, TemplateView):
    """The organisation's record of violations, each with the text of the rule broken."""

    template_name = "compliance/compliance_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        page = paginate(self.request, selectors.compliance_records(self.organisation).with_in_force(now))
        rows = [{"penalty": p, "rule": RULES.get(p.rule), "active": p.in_force} for p in page.object_list]
        kind = self.organisation.kind
        ctx.update(
            page=page,
            rows=rows,
            active_count=sum(1 for r in rows if r["active"]),
            rules=[r for r in RULES.values() if r.applies_to in (kind, "both")],
            ordering_suspended=Penalty.objects.suspending_ordering(now).filter(organisation=self.organisation).exists(),
            listing_suspended=Penalty.objects.suspending_listing(now).filter(organisation=self.organisation).exists(),
        )
        return ctx


def _partnered_resellers(supplier_org_id: int):
    return Organisation.objects.filter(pk__in=selectors.partnered_resellers(supplier_org_id).values("pk")).order_by("name")


class SupplierRewardsView(SupplierMemberMixin, View):
    """Rebate rules, proposed rebates to preview and pay, and one-off rewards."""

    template_name = "compliance/rewards_supplier.html"

    def context(self, **forms):
        org = self.organisation
        resellers = list(_partnered_resellers(org.pk))
        proposals = ProposedRebate.objects.filter(supplier=org).select_related("reseller", "rule").order_by("status", "-month_on", "id")
        return {
            "rules": RebateRule.objects.filter(supplier=org).select_related("reseller"),
            "proposals_page": paginate(self.request, proposals),
            "proposed_count": proposals.filter(status=ProposedRebate.Status.PROPOSED).count(),
            "rule_form": forms.get("rule_form") or RebateRuleForm(resellers=resellers, initial={"threshold_amount": "0.00"}),
            "can_manage": self.membership.can_manage,
        }

    def get(self, request):
        return render(request, self.template_name, self.context())

    def post(self, request):
        action = request.POST.get("action")
        resellers = list(_partnered_resellers(self.organisation.pk))
        try:
            if action == "rule":
                form = RebateRuleForm(request.POST, resellers=resellers)
                if not form.is_valid():
                    return render(request, self.template_name, self.context(rule_form=form), status=400)
                reseller = Organisation.objects.filter(pk=form.cleaned_data["reseller"]).first() if form.cleaned_data["reseller"] else None
                services_rebates.rebate_rule_save(
                    actor=request.user,
                    supplier=self.organisation,
                    name=form.cleaned_data["name"],
                    percent=form.cleaned_data["percent"],
                    threshold_amount=form.cleaned_data["threshold_amount"],
                    reseller=reseller,
                )
                messages.success(request, _("Rebate rule saved. Rebates are proposed on the 1st of each month."))
            elif action in ("pay", "dismiss"):
                proposal = get_object_or_404(ProposedRebate, pk=parse_id(request.POST.get("proposal")), supplier=self.organisation)
                if action == "pay":
                    services_rebates.rebate_pay(actor=request.user, proposal=proposal)
                    messages.success(request, _("Rebate paid."))
                else:
                    services_rebates.rebate_dismiss(actor=request.user, proposal=proposal)
                    messages.info(request, _("Rebate dismissed."))
            elif action == "rule_toggle":
                rule = get_object_or_404(RebateRule, pk=parse_id(request.POST.get("rule")), supplier=self.organisation)
                services_rebates.rebate_rule_save(
                    actor=request.user,
                    supplier=self.organisation,
                    rule=rule,
                    name=rule.name,
                    percent=rule.percent,
                    threshold_amount=rule.threshold_amount,
                    reseller=rule.reseller,
                    is_active=not rule.is_active,
                )
                messages.success(request, _("Rebate rule updated."))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("compliance:rewards_supplier"))


class ResellerRewardsView(ResellerMemberMixin, TemplateView):
    """Rewards and rebates suppliers paid this reseller."""

    template_name = "compliance/rewards_reseller.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = paginate(self.request, Reward.objects.filter(reseller=self.organisation).select_related("supplier"))
        return ctx


class RewardListView(SupplierManagerMixin, TemplateView):
    """A supplier's owner or manager pays a partnered reseller a reward (R17)."""

    template_name = "compliance/reward_list.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            form=form or RewardForm(resellers=selectors.partnered_resellers(self.organisation.pk)),
            page=paginate(self.request, settlement_selectors.rewards_paid_by(self.organisation)),
            summary=settlement_selectors.wallet_summary(self.organisation),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = RewardForm(request.POST, resellers=selectors.partnered_resellers(self.organisation.pk))
        if form.is_valid():
            try:
                services_rebates.reward_give(
                    supplier=self.organisation,
                    reseller=form.cleaned_data["reseller"].organisation,
                    amount=form.cleaned_data["amount"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                    idempotency_key=form.cleaned_data.get("token") or timezone.now().isoformat(),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Reward paid."))
                return redirect("compliance:reward_list")
        return self.render_to_response(self.get_context_data(form=form), status=422)
