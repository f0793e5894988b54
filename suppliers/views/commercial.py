"""Supplier pages for the commercial terms: shipping templates (運費模板), a SKU's price breaks (階梯價),
per-reseller prices and order rules, product lines (產品線), and the download records (下載記錄).
Owners and managers; another organisation's objects answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.params import parse_id
from distribution.core.permissions import SupplierManagerMixin
from suppliers.forms.commercial import (
    PriceBreakForm,
    PriceOverrideForm,
    ProductLineForm,
    ShippingGroupForm,
    ShippingTemplateForm,
    SKUOrderRulesForm,
)
from suppliers.models import (
    SKU,
    CooperationTerms,
    Partnership,
    PriceBreak,
    PriceOverride,
    Product,
    ProductLine,
    ShippingRegionGroup,
    ShippingTemplate,
    Tier,
)
from suppliers.services import commercial as svc
from suppliers.terms import RegionGroup


def _own(model, pk, supplier_id, **lookup):
    obj = model.objects.filter(pk=pk, **{lookup.get("via", "supplier_id"): supplier_id}).first()
    if obj is None:
        raise Http404
    return obj


# --- shipping templates ---------------------------------------------------------------


class ShippingTemplateListView(SupplierManagerMixin, View):
    def _render(self, request, form, status=200):
        supplier_id = self.organisation.pk
        templates = list(ShippingTemplate.objects.filter(supplier_id=supplier_id).annotate(group_count=Count("groups")).order_by("name"))
        terms = CooperationTerms.objects.filter(supplier_id=supplier_id).first()
        ctx = {"templates": templates, "form": form, "in_use_id": terms.shipping_template_id if terms else None}
        return render(request, "suppliers/shipping_template_list.html", ctx, status=status)

    def get(self, request):
        return self._render(request, ShippingTemplateForm())

    def post(self, request):
        form = ShippingTemplateForm(request.POST)
        if form.is_valid():
            try:
                template = svc.shipping_template_save(actor=request.user, supplier=self.organisation.supplier, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Shipping template saved. Add its region groups."))
                return redirect("suppliers:shipping_template", pk=template.pk)
        return self._render(request, form, status=422)


class ShippingTemplateDetailView(SupplierManagerMixin, View):
    def _render(self, request, template, *, form=None, group_form=None, status=200):
        groups = list(template.groups.all())
        for g in groups:
            g.label = RegionGroup(tuple(g.provinces), g.first_units, g.first_fee, g.additional_units, g.additional_fee).label
        form = form or ShippingTemplateForm(
            initial={"name": template.name, "basis": template.basis, "free_above_amount": template.free_above_amount,
                     "unserved_provinces": template.unserved_provinces}
        )  # fmt: skip
        terms = CooperationTerms.objects.filter(supplier_id=self.organisation.pk).first()
        ctx = {"template": template, "groups": groups, "form": form, "group_form": group_form or ShippingGroupForm(),
               "in_use": bool(terms and terms.shipping_template_id == template.pk)}  # fmt: skip
        return render(request, "suppliers/shipping_template_detail.html", ctx, status=status)

    def get(self, request, pk):
        return self._render(request, _own(ShippingTemplate, pk, self.organisation.pk))

    def post(self, request, pk):
        template = _own(ShippingTemplate, pk, self.organisation.pk)
        action = request.POST.get("action")
        try:
            if action == "use":
                svc.shipping_template_use(actor=request.user, supplier=self.organisation.supplier, template=template)
                messages.success(request, _("Your orders' shipping is now computed by this template."))
            elif action == "unuse":
                svc.shipping_template_use(actor=request.user, supplier=self.organisation.supplier, template=None)
                messages.success(request, _("Your orders' shipping is the fee per order again."))
            elif action == "delete_group":
                group = _own(ShippingRegionGroup, parse_id(request.POST.get("group")), template.pk, via="template_id")
                svc.shipping_group_delete(actor=request.user, group=group)
                messages.success(request, _("Region group deleted."))
            elif action == "add_group":
                group_form = ShippingGroupForm(request.POST)
                if not group_form.is_valid():
                    return self._render(request, template, group_form=group_form, status=422)
                try:
                    svc.shipping_group_add(actor=request.user, template=template, **group_form.cleaned_data)
                except DomainError as exc:
                    add_domain_error(group_form, exc)
                    return self._render(request, template, group_form=group_form, status=422)
                messages.success(request, _("Region group added."))
            else:
                form = ShippingTemplateForm(request.POST)
                if not form.is_valid():
                    return self._render(request, template, form=form, status=422)
                try:
                    svc.shipping_template_save(
                        actor=request.user, supplier=self.organisation.supplier, template=template, **form.cleaned_data
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                    return self._render(request, template, form=form, status=422)
                messages.success(request, _("Shipping template saved."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("suppliers:shipping_template", pk=template.pk)


# --- a SKU's prices and order rules ------------------------------------------------------


class SKUPricesView(SupplierManagerMixin, View):
    def _resellers(self):
        partnerships = Partnership.objects.live().filter(supplier_id=self.organisation.pk).select_related("reseller")
        return [p.reseller for p in partnerships.order_by("reseller__name")]

    def _render(self, request, sku, *, rules_form=None, break_form=None, override_form=None, status=200):
        ctx = {
            "sku": sku,
            "breaks": list(PriceBreak.objects.filter(sku=sku).order_by("min_quantity")),
            "overrides": list(PriceOverride.objects.filter(sku=sku).select_related("reseller").order_by("reseller__name")),
            "rules_form": rules_form
            or SKUOrderRulesForm(initial={"min_order_quantity": sku.min_order_quantity, "order_multiple": sku.order_multiple}),
            "break_form": break_form or PriceBreakForm(),
            "override_form": override_form or PriceOverrideForm(resellers=self._resellers()),
        }
        return render(request, "suppliers/sku_prices.html", ctx, status=status)

    def _sku(self, pk) -> SKU:
        sku = SKU.objects.filter(pk=pk, supplier_id=self.organisation.pk).select_related("product", "supplier__organisation").first()
        if sku is None:
            raise Http404
        return sku

    def get(self, request, pk):
        return self._render(request, self._sku(pk))

    def post(self, request, pk):  # noqa: C901
        sku = self._sku(pk)
        action = request.POST.get("action")
        override_form = PriceOverrideForm(request.POST, resellers=self._resellers())
        forms_by_action = {
            "rules": ("rules_form", SKUOrderRulesForm(request.POST), svc.sku_order_rules_save, _("Order rules saved.")),
            "add_break": ("break_form", PriceBreakForm(request.POST), svc.price_break_add, _("Price break added.")),
            "set_override": ("override_form", override_form, svc.price_override_set, _("Reseller price saved.")),
        }
        try:
            if action == "delete_break":
                price_break = _own(PriceBreak, parse_id(request.POST.get("item")), sku.pk, via="sku_id")
                svc.price_break_delete(actor=request.user, price_break=price_break)
                messages.success(request, _("Price break deleted."))
            elif action == "delete_override":
                override = _own(PriceOverride, parse_id(request.POST.get("item")), sku.pk, via="sku_id")
                svc.price_override_delete(actor=request.user, override=override)
                messages.success(request, _("Reseller price deleted."))
            elif action in forms_by_action:
                name, form, service, done = forms_by_action[action]
                if not form.is_valid():
                    return self._render(request, sku, **{name: form}, status=422)
                data = dict(form.cleaned_data)
                if "reseller" in data:
                    data["reseller_id"] = data.pop("reseller")
                try:
                    service(actor=request.user, sku=sku, **data)
                except DomainError as exc:
                    add_domain_error(form, exc)
                    return self._render(request, sku, **{name: form}, status=422)
                messages.success(request, done)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("suppliers:sku_prices", pk=sku.pk)


# --- product lines ------------------------------------------------------------------------


class _ProductLineMixin(SupplierManagerMixin):
    def line_form(self, data=None, initial=None):
        supplier_id = self.organisation.pk
        partnered = Partnership.objects.not_terminated().filter(supplier_id=supplier_id).select_related("reseller")
        partnered = partnered.order_by("reseller__name")
        return ProductLineForm(
            data,
            initial=initial,
            products=Product.objects.filter(supplier_id=supplier_id).order_by("title").only("title"),
            tiers=Tier.objects.filter(supplier_id=supplier_id).order_by("position", "id"),
            resellers=[p.reseller for p in partnered],
        )

    def save(self, request, form, line=None):
        d = form.cleaned_data
        return svc.product_line_save(
            actor=request.user, supplier=self.organisation.supplier, name=d["name"], product_ids=d["products"], tier_ids=d["tiers"],
            reseller_ids=d["resellers"], line=line,
        )  # fmt: skip


class ProductLineListView(_ProductLineMixin, View):
    def _render(self, request, form, status=200):
        lines = list(
            ProductLine.objects.filter(supplier_id=self.organisation.pk)
            .annotate(product_count=Count("products", distinct=True), tier_count=Count("tiers", distinct=True),
                      reseller_count=Count("resellers", distinct=True))
            .order_by("name")
        )  # fmt: skip
        return render(request, "suppliers/product_line_list.html", {"lines": lines, "form": form}, status=status)

    def get(self, request):
        return self._render(request, self.line_form())

    def post(self, request):
        form = self.line_form(request.POST)
        if form.is_valid():
            try:
                self.save(request, form)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Product line saved."))
                return redirect("suppliers:product_lines")
        return self._render(request, form, status=422)


class ProductLineEditView(_ProductLineMixin, View):
    def _render(self, request, line, form, status=200):
        return render(request, "suppliers/product_line_form.html", {"line": line, "form": form}, status=status)

    def get(self, request, pk):
        line = _own(ProductLine, pk, self.organisation.pk)
        initial = {"name": line.name, "products": [p.pk for p in line.products.all()], "tiers": [t.pk for t in line.tiers.all()],
                   "resellers": [r.pk for r in line.resellers.all()]}  # fmt: skip
        return self._render(request, line, self.line_form(initial=initial))

    def post(self, request, pk):
        line = _own(ProductLine, pk, self.organisation.pk)
        if request.POST.get("action") == "delete":
            svc.product_line_delete(actor=request.user, line=line)
            messages.success(request, _("Product line deleted: its products are visible to every partner again."))
            return redirect("suppliers:product_lines")
        form = self.line_form(request.POST)
        if form.is_valid():
            try:
                self.save(request, form, line=line)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Product line saved."))
                return redirect("suppliers:product_lines")
        return self._render(request, line, form, status=422)
