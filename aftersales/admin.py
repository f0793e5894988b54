"""Platform staff's after-sales queue: escalated requests first, decided on the decide page.

Every change goes through ``aftersales.services.after_sale_decide``; records are read-only here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyInline
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error

from .models import AfterSale, AfterSaleEvidence, AfterSaleLine, AfterSaleTransition
from .services import after_sale_decide


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("refund", _("Refund the reseller now")),
            ("return", _("Refund after the goods are returned")),
            ("refuse", _("Refuse the request")),
        ],
    )
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Reason for the decision"), max_length=400, widget=forms.Textarea(attrs={"rows": 3}))


class LineInline(ReadOnlyInline):
    model = AfterSaleLine
    fields = ("line", "quantity", "amount")
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = AfterSaleTransition
    fields = ("created_at", "actor_label", "from_status", "to_status", "reason_shown")
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_shown(self, obj):
        return obj.reason_display  # in the reader's language


class EvidenceInline(ReadOnlyInline):
    model = AfterSaleEvidence
    fields = ("created_at", "side", "original_name", "file")
    readonly_fields = fields


@admin.register(AfterSale)
class AfterSaleAdmin(admin.ModelAdmin):
    list_display = ("number", "purchase_order", "reseller", "supplier", "kind", "requested_amount", "status", "opened_at", "decide_link")
    list_filter = ("status", "kind", "reason")
    search_fields = ("number", "purchase_order__number")
    ordering = ("-escalated_at", "opened_at")
    inlines = [LineInline, EvidenceInline, TransitionInline]
    list_select_related = ("purchase_order", "reseller", "supplier")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Decide"))
    def decide_link(self, obj):
        if obj.status != AfterSale.Status.ESCALATED:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:aftersales_aftersale_decide", args=[obj.pk]), _("Decide"))

    def get_urls(self):
        return [
            path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view), name="aftersales_aftersale_decide"),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk: int):
        a = get_object_or_404(AfterSale.objects.select_related("purchase_order", "reseller", "supplier"), pk=pk)
        form = None
        if a.status == AfterSale.Status.ESCALATED:
            form = DecisionForm(request.POST or None, initial={"amount": a.requested_amount})
            if request.method == "POST" and form.is_valid():
                data = form.cleaned_data
                try:
                    after_sale_decide(actor=request.user, after_sale=a, outcome=data["outcome"], amount=data["amount"], note=data["note"])
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    self.message_user(request, _("Decision recorded; both sides were notified."), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:aftersales_aftersale_change", args=[a.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide after-sales %(number)s") % {"number": a.number},
            "a": a,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/aftersales/aftersale/decide.html", context, status=400 if form is not None and form.errors else 200
        )
