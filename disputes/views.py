"""Dispute pages for both sides, the compliance page, rewards and rebates. Thin: check who
asks, validate, call one service, message and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.media import serve_allowed
from distribution.core.pagination import paginate
from distribution.core.params import parse_id
from distribution.core.permissions import OrganisationMemberMixin, ResellerMemberMixin
from procurement.models import PurchaseOrder

from . import selectors, services
from .forms import DisputeMessageForm, DisputeOfferForm, DisputeOpenForm
from .media import evidence_allowed
from .models import Dispute, DisputeEvidence, DisputeOffer, Side


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
        held = dispute.purchase_order.in_question if is_open else None
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
                held = dispute.purchase_order.in_question
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
