"""Tiers (a discount on supply price per reseller level) and cooperation terms: owner/manager pages."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.permissions import SupplierManagerMixin
from suppliers import services
from suppliers.forms.tiers import TermsForm, TierForm
from suppliers.models import CooperationTerms, Tier
from suppliers.pricing import tier_supply_price

EXAMPLE_PRICE = Decimal("100.00")


class TierListView(SupplierManagerMixin, View):
    def _render(self, request, form, status=200):
        tiers = list(Tier.objects.filter(supplier_id=self.organisation.pk).order_by("position", "id"))
        for tier in tiers:
            tier.example_price = tier_supply_price(EXAMPLE_PRICE, tier.discount_percent)
        ctx = {"tiers": tiers, "form": form, "example_price": EXAMPLE_PRICE}
        return render(request, "suppliers/tier_list.html", ctx, status=status)

    def get(self, request):
        return self._render(request, TierForm())

    def post(self, request):
        form = TierForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.tier_create(
                    actor=request.user,
                    supplier=self.organisation.supplier,
                    name=d["name"],
                    discount_percent=d["discount_percent"],
                    position=d.get("position") or 0,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Tier added."))
                return redirect("suppliers:tier_list")
        return self._render(request, form, status=422)


class TierEditView(SupplierManagerMixin, View):
    def _tier(self, pk) -> Tier:
        try:
            return Tier.objects.get(pk=pk, supplier_id=self.organisation.pk)
        except Tier.DoesNotExist:
            raise Http404 from None

    def get(self, request, pk):
        tier = self._tier(pk)
        form = TierForm(initial={"name": tier.name, "discount_percent": tier.discount_percent, "position": tier.position})
        return render(request, "suppliers/tier_form.html", {"tier": tier, "form": form})

    def post(self, request, pk):
        tier = self._tier(pk)
        form = TierForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.tier_update(
                    actor=request.user, tier=tier, name=d["name"], discount_percent=d["discount_percent"], position=d.get("position")
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Tier saved."))
                return redirect("suppliers:tier_list")
        return render(request, "suppliers/tier_form.html", {"tier": tier, "form": form}, status=422)


class TierDeleteView(TierEditView):
    def get(self, request, pk):
        return redirect("suppliers:tier_edit", pk=pk)

    def post(self, request, pk):
        tier = self._tier(pk)
        try:
            services.tier_delete(actor=request.user, tier=tier)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Tier deleted."))
        return redirect("suppliers:tier_list")


class TermsView(SupplierManagerMixin, View):
    def _initial(self) -> dict:
        terms = CooperationTerms.objects.filter(supplier_id=self.organisation.pk).first()
        if terms is None:
            return {}
        return {
            "text": terms.text,
            "accepted_channel_types": terms.accepted_channel_types,
            "minimum_order_amount": terms.minimum_order_amount,
            "shipping_fee_amount": terms.shipping_fee_amount,
            "shipping_regions": terms.shipping_regions,
            "return_policy": terms.return_policy,
        }

    def get(self, request):
        return render(request, "suppliers/terms_form.html", {"form": TermsForm(initial=self._initial())})

    def post(self, request):
        form = TermsForm(request.POST)
        if form.is_valid():
            try:
                services.cooperation_terms_save(actor=request.user, supplier=self.organisation.supplier, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Cooperation terms saved."))
                return redirect("suppliers:terms")
        return render(request, "suppliers/terms_form.html", {"form": form}, status=422)
