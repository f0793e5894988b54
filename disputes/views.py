"""Dispute pages for both sides, the compliance page, rewards and rebates. Thin: check who
asks, validate, call one service, message and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
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
from distribution.core.media import serve_allowed
from distribution.core.pagination import paginate
from distribution.core.params import parse_id
from distribution.core.permissions import OrganisationMemberMixin, ResellerMemberMixin, SupplierManagerMixin, SupplierMemberMixin
from procurement.models import PurchaseOrder
from settlement import selectors as settlement_selectors
from settlement.forms import RewardForm
from settlement.models import Reward
from settlement.services import escrow_held

from . import selectors, services, services_rebates
from .forms import DisputeMessageForm, DisputeOfferForm, DisputeOpenForm, RebateRuleForm
from .media import evidence_allowed
from .models import Dispute, DisputeEvidence, DisputeOffer, ProposedRebate, RebateRule, Side
from .rules import RULES


class ComplianceView(OrganisationMemberMixin, TemplateView):
    """The organisation's record of violations, each with the text of the rule broken."""

    template_name = "disputes/compliance_list.html"

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


class DisputeListView(OrganisationMemberMixin, TemplateView):
    template_name = "disputes/dispute_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = selectors.disputes_for_organisation(self.organisation)
        status = self.request.GET.get("status", "")
        if status in Dispute.Status.values:
            qs = qs.filter(status=status)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(purchase_order__number__icontains=q) | Q(purchase_order__consumer_order_ref__icontains=q))
        ctx.update(
            page=paginate(self.request, qs),
            status=status,
            q=q,
            statuses=Dispute.Status.choices,
            counts=selectors.dispute_counts(self.organisation),
            my_side=self.organisation.kind,
            disputable=selectors.disputable_purchase_orders(self.organisation) if self.organisation.is_reseller else [],
        )
        return ctx


class DisputeOpenView(ResellerMemberMixin, View):
    template_name = "disputes/dispute_open.html"

    def _po(self, number: str):
        return get_object_or_404(PurchaseOrder, number=number, reseller_id=self.organisation.pk)

    def get(self, request, number: str):
        po = self._po(number)
        return render(request, self.template_name, {"po": po, "form": DisputeOpenForm(total=po.total_amount)})

    def post(self, request, number: str):
        po = self._po(number)
        form = DisputeOpenForm(request.POST, request.FILES, total=po.total_amount)
        if form.is_valid():
            try:
                dispute = services.dispute_open(
                    actor=request.user,
                    purchase_order=po,
                    reason=form.cleaned_data["reason"],
                    requested_amount=form.cleaned_data["requested_amount"],
                    description=form.cleaned_data["description"],
                    files=form.cleaned_data["evidence"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Dispute opened. The supplier has been notified; auto-confirm is on hold."))
                return redirect("disputes:detail", pk=dispute.pk)
        return render(request, self.template_name, {"po": po, "form": form}, status=400)


class DisputeViewerMixin(LoginRequiredMixin):
    """A member of either party, or platform staff; anyone else gets 404."""

    def get_dispute(self, pk: int) -> Dispute:
        dispute = selectors.dispute_for_viewer(user=self.request.user, pk=pk)
        if dispute is None:
            raise Http404
        self.side = services.side_of(self.request.user, dispute)
        return dispute


class DisputeDetailView(DisputeViewerMixin, View):
    template_name = "disputes/dispute_detail.html"

    def context(self, dispute: Dispute, **forms) -> dict:
        offers = list(dispute.offers.select_related("made_by").all())
        msgs = list(dispute.messages.select_related("author").prefetch_related("attachments").all())
        evidence = [e for e in dispute.evidence.all() if e.message_id is None]
        pending = [o for o in offers if o.status == DisputeOffer.Status.PENDING]
        party = self.side in (Side.RESELLER, Side.SUPPLIER)
        is_open = dispute.is_open
        held = escrow_held(dispute.purchase_order.number) if is_open else None
        decision = getattr(dispute, "decision", None) if dispute.outcome == Dispute.Outcome.DECISION else None
        timeline = sorted(
            [("message", m.created_at, m) for m in msgs] + [("offer", o.created_at, o) for o in offers], key=lambda t: (t[1], t[0])
        )
        return {
            "dispute": dispute,
            "po": dispute.purchase_order,
            "side": self.side,
            "timeline": timeline,
            "evidence": evidence,
            "held": held,
            "decision": decision,
            "acceptable": [o for o in pending if party and o.side != self.side and is_open],
            "can_talk": is_open,
            "can_offer": party and is_open,
            "can_escalate": party and dispute.status == Dispute.Status.OPEN,
            "can_withdraw": self.side == Side.RESELLER and is_open,
            "message_form": forms.get("message_form") or DisputeMessageForm(),
            "offer_form": forms.get("offer_form") or (DisputeOfferForm(held=held) if held is not None else None),
        }

    def get(self, request, pk: int):
        dispute = self.get_dispute(pk)
        if request.htmx and request.GET.get("partial") == "thread":
            return render(request, f"{self.template_name}#thread", self.context(dispute))
        return render(request, self.template_name, self.context(dispute))


class DisputeActionView(DisputeViewerMixin, View):
    """POST-only actions on one dispute; each calls one service."""

    def post(self, request, pk: int, action: str):
        dispute = self.get_dispute(pk)
        detail = DisputeDetailView()
        detail.request, detail.side = request, self.side
        try:
            if action == "message":
                form = DisputeMessageForm(request.POST, request.FILES)
                if not form.is_valid():
                    return render(request, detail.template_name, detail.context(dispute, message_form=form), status=400)
                services.dispute_post_message(
                    actor=request.user, dispute=dispute, body=form.cleaned_data["body"], files=form.cleaned_data["evidence"]
                )
                messages.success(request, _("Message sent."))
            elif action == "offer":
                held = escrow_held(dispute.purchase_order.number)
                form = DisputeOfferForm(request.POST, held=held)
                if not form.is_valid():
                    return render(request, detail.template_name, detail.context(dispute, offer_form=form), status=400)
                services.dispute_make_offer(
                    actor=request.user, dispute=dispute, refund_amount=form.cleaned_data["refund_amount"], note=form.cleaned_data["note"]
                )
                messages.success(request, _("Offer sent. The other side can accept it or counter."))
            elif action == "accept":
                offer = get_object_or_404(DisputeOffer, pk=parse_id(request.POST.get("offer")), dispute=dispute)
                services.dispute_accept_offer(actor=request.user, offer=offer)
                messages.success(request, _("Offer accepted; the escrow was split and the dispute is settled."))
            elif action == "withdraw":
                services.dispute_withdraw(actor=request.user, dispute=dispute)
                messages.success(request, _("Dispute withdrawn. Auto-confirm resumes with the time it had left."))
            elif action == "escalate":
                services.dispute_escalate(actor=request.user, dispute=dispute)
                messages.success(request, _("The dispute was escalated; platform staff will decide."))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("disputes:detail", pk=dispute.pk)


class DisputeEvidenceView(DisputeViewerMixin, View):
    def get(self, request, pk: int, evidence_id: int):
        dispute = self.get_dispute(pk)
        item = get_object_or_404(DisputeEvidence, pk=evidence_id, dispute=dispute)
        return serve_allowed(evidence_allowed(request, item))


def _partnered_resellers(supplier_org_id: int):
    return Organisation.objects.filter(pk__in=selectors.partnered_resellers(supplier_org_id).values("pk")).order_by("name")


class SupplierRewardsView(SupplierMemberMixin, View):
    """Rebate rules, proposed rebates to preview and pay, and one-off rewards."""

    template_name = "disputes/rewards_supplier.html"

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
        return HttpResponseRedirect(reverse("disputes:rewards_supplier"))


class ResellerRewardsView(ResellerMemberMixin, TemplateView):
    """Rewards and rebates suppliers paid this reseller."""

    template_name = "disputes/rewards_reseller.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["page"] = paginate(self.request, Reward.objects.filter(reseller=self.organisation).select_related("supplier"))
        return ctx


class RewardListView(SupplierManagerMixin, TemplateView):
    """A supplier's owner or manager pays a partnered reseller a reward (R17)."""

    template_name = "disputes/reward_list.html"

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
                return redirect("disputes:reward_list")
        return self.render_to_response(self.get_context_data(form=form), status=422)
