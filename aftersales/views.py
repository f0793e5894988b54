"""After-sales pages of both sides: lists with filters and counts, the request form, the detail page
with the actions allowed now. Thin: check who asks, validate, call one service, message and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.once import SubmitOnceMixin
from distribution.core.pagination import paginate
from distribution.core.permissions import OrganisationMemberMixin, ResellerMemberMixin
from procurement.models import PurchaseOrder

from . import selectors, services
from .forms import AfterSaleOpenForm, AmountNoteForm, CarrierFields, EvidenceForm, NoteForm, RestockForm
from .models import AfterSale

Status = AfterSale.Status


class SideMixin(OrganisationMemberMixin):
    """The side the URL names must be the organisation's: anyone else gets 404."""

    def side(self) -> str:
        side = self.kwargs["side"]
        if side not in ("reseller", "supplier") or self.organisation.kind != side:
            raise Http404
        return side


class AfterSaleListView(SideMixin, View):
    template_name = "aftersales/aftersale_list.html"

    def get(self, request, side):
        side = self.side()
        qs = selectors.after_sales_for(side, self.organisation.pk)
        status = request.GET.get("status", "")
        if status == "waiting":
            qs = qs.filter(status__in=selectors.waiting_on(side))
        elif status in Status.values:
            qs = qs.filter(status=status)
        kind = request.GET.get("kind", "")
        if kind in AfterSale.Kind.values:
            qs = qs.filter(kind=kind)
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(number__icontains=q) | Q(purchase_order__number__icontains=q))
        context = {
            "side": side,
            "page": paginate(request, qs),
            "status": status,
            "kind": kind,
            "q": q,
            "statuses": Status.choices,
            "kinds": AfterSale.Kind.choices,
            "counts": selectors.after_sale_counts(side, self.organisation.pk),
            "waiting_states": selectors.waiting_on(side),
            "returnable": selectors.returnable_purchase_orders(self.organisation.pk) if side == "reseller" else [],
        }
        return render(request, self.template_name, context)


class AfterSaleOpenView(ResellerMemberMixin, SubmitOnceMixin, View):
    template_name = "aftersales/aftersale_open.html"

    def _po(self, number: str) -> PurchaseOrder:
        return get_object_or_404(PurchaseOrder, number=number, reseller_id=self.organisation.pk)

    def _lines(self, po: PurchaseOrder):
        lines = list(po.lines.all())
        claimable = services.claimable_quantities(po, lines)
        for line in lines:
            line.claimable = claimable[line.pk]
        return lines

    def get(self, request, number):
        po = self._po(number)
        return render(request, self.template_name, {"po": po, "form": AfterSaleOpenForm(lines=self._lines(po))})

    def post(self, request, number):
        po = self._po(number)
        form = AfterSaleOpenForm(request.POST, request.FILES, lines=self._lines(po))
        if form.is_valid():
            try:
                a = services.after_sale_open(
                    actor=request.user,
                    reseller=self.organisation.reseller,
                    purchase_order=po,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    description=form.cleaned_data["description"],
                    quantities=form.quantities(),
                    amount=form.cleaned_data["amount"],
                    evidence=form.cleaned_data["evidence"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("After-sales request sent. The supplier has been notified."))
                return redirect("aftersales:reseller_detail", number=a.number)
        return render(request, self.template_name, {"po": po, "form": form}, status=422)


def _actions(a: AfterSale, side: str) -> set[str]:
    if side == "supplier":
        return {
            Status.REQUESTED: {"agree", "propose", "refuse"},
            Status.RETURN_SHIPPED: {"received"},
        }.get(a.status, set())
    return {
        Status.REQUESTED: {"withdraw"},
        Status.PROPOSED: {"accept", "escalate", "withdraw"},
        Status.REFUSED: {"escalate", "withdraw"},
        Status.AWAITING_RETURN: {"ship_back", "withdraw"},
        Status.RETURN_SHIPPED: set() if a.return_delivered_at else {"delivered"},
    }.get(a.status, set())


class AfterSaleDetailView(SideMixin, View):
    template_name = "aftersales/aftersale_detail.html"

    def _get(self, number: str) -> AfterSale:
        a = selectors.after_sale_for(self.side(), self.organisation.pk, number)
        if a is None:
            raise Http404
        return a

    def render_page(self, request, a: AfterSale, status: int = 200, **forms):
        side = self.side()
        context = {
            "a": a,
            "side": side,
            "actions": _actions(a, side),
            "can_add_evidence": a.is_open,
            "propose_form": forms.get("propose") or AmountNoteForm(),
            "refuse_form": forms.get("refuse") or NoteForm(),
            "tracking_form": forms.get("tracking") or CarrierFields(),
            "evidence_form": forms.get("evidence") or EvidenceForm(),
            "restock_form": forms.get("restock") or RestockForm(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, side, number):
        return self.render_page(request, self._get(number))


class AfterSaleActionView(SubmitOnceMixin, AfterSaleDetailView):
    """POST-only actions; each calls one service."""

    http_method_names = ["post"]

    def post(self, request, side, number, action):
        a = self._get(number)
        side = self.side()
        if action != "evidence" and action not in _actions(a, side):
            raise Http404
        forms_by_action = {"propose": AmountNoteForm, "refuse": NoteForm, "ship_back": CarrierFields, "evidence": EvidenceForm}
        form_key = {"propose": "propose", "refuse": "refuse", "ship_back": "tracking", "evidence": "evidence"}
        form = None
        if action in forms_by_action:
            form = forms_by_action[action](request.POST, request.FILES)
        elif action == "received" and a.kind == AfterSale.Kind.EXCHANGE:
            form, form_key["received"] = CarrierFields(request.POST), "tracking"
        elif action == "received":
            form, form_key["received"] = RestockForm(request.POST), "restock"
        if form is not None and not form.is_valid():
            return self.render_page(request, a, status=422, **{form_key[action]: form})
        data = form.cleaned_data if form is not None else {}
        user = request.user
        run = {
            "agree": (lambda: services.after_sale_agree(actor=user, after_sale=a), _("Agreed.")),
            "propose": (
                lambda: services.after_sale_propose(actor=user, after_sale=a, amount=data["amount"], note=data["note"]),
                _("Proposal sent to the reseller."),
            ),
            "refuse": (
                lambda: services.after_sale_refuse(actor=user, after_sale=a, note=data["note"]),
                _("Refused. The reseller may escalate to the platform."),
            ),
            "received": (
                lambda: services.after_sale_confirm_received(
                    actor=user,
                    after_sale=a,
                    carrier=data.get("carrier_name", ""),
                    tracking_number=data.get("tracking_number", ""),
                    restock=bool(data.get("restock")),
                ),
                _("Return received."),
            ),
            "accept": (lambda: services.after_sale_accept(actor=user, after_sale=a), _("Proposal accepted.")),
            "escalate": (lambda: services.after_sale_escalate(actor=user, after_sale=a), _("Escalated; platform staff will decide.")),
            "ship_back": (
                lambda: services.after_sale_ship_back(
                    actor=user, after_sale=a, carrier=data["carrier_name"], tracking_number=data["tracking_number"]
                ),
                _("Return tracking sent to the supplier."),
            ),
            "withdraw": (lambda: services.after_sale_withdraw(actor=user, after_sale=a), _("Request withdrawn.")),
            "delivered": (
                lambda: services.after_sale_mark_return_delivered(actor=user, after_sale=a),
                _("Delivery recorded. The supplier has been told to confirm the arrival."),
            ),
            "evidence": (
                lambda: services.after_sale_add_evidence(actor=user, after_sale=a, side=side, files=data["evidence"]),
                _("Evidence added."),
            ),
        }
        if action not in run:
            raise Http404
        service, message = run[action]
        try:
            service()
        except DomainError as exc:
            if form is not None:
                add_domain_error(form, exc)
                return self.render_page(request, a, status=422, **{form_key[action]: form})
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
        return redirect(f"aftersales:{side}_detail", number=a.number)
