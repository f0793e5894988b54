"""Platform staff's workplace for disputes (queue, decision).

Every change goes through a service, which audits it; records are read-only here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyInline
from distribution.core.errors import DomainError
from distribution.core.forms import add_domain_error
from distribution.core.models import AuditEvent

from .forms import DisputeDecisionForm
from .models import Dispute, DisputeDecision, DisputeEvidence, DisputeMessage, DisputeOffer
from .services import dispute_decide


class MessageInline(ReadOnlyInline):
    model = DisputeMessage
    fields = ("created_at", "side", "author", "body")
    readonly_fields = fields


class OfferInline(ReadOnlyInline):
    model = DisputeOffer
    fields = ("created_at", "side", "made_by", "refund_amount", "release_amount", "status", "answered_at", "note")
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = DisputeEvidence
    fields = ("created_at", "side", "original_name", "content_type", "size", "file")
    readonly_fields = fields


class DecisionInline(admin.StackedInline):
    model = DisputeDecision
    extra = 0
    can_delete = False
    fields = ("decided_at", "decided_by", "refund_amount", "release_amount", "decision", "at_fault", "penalty")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WaitingFilter(admin.SimpleListFilter):
    title = _("escalation")
    parameter_name = "escalation"

    def lookups(self, request, model_admin):
        return [("escalated", _("Escalated (any)")), ("auto", _("Escalated automatically")), ("by_party", _("Escalated by a party"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "escalated":
            return queryset.filter(status=Dispute.Status.ESCALATED)
        if value == "auto":
            return queryset.filter(status=Dispute.Status.ESCALATED, auto_escalated=True)
        if value == "by_party":
            return queryset.filter(status=Dispute.Status.ESCALATED, auto_escalated=False)
        return queryset


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    """The dispute queue: oldest first by default; sortable by amount; decide from the change page."""

    list_display = (
        "__str__",
        "po_number",
        "reseller",
        "supplier",
        "reason",
        "requested_amount",
        "status",
        "waiting_on",
        "auto_escalated",
        "opened_at",
        "age_days",
    )
    list_filter = (WaitingFilter, "status", "waiting_on", "auto_escalated", "reason")
    search_fields = ("purchase_order__number", "purchase_order__consumer_order_ref", "reseller__name", "supplier__name")
    list_select_related = ("purchase_order", "reseller", "supplier")
    ordering = ("opened_at", "-requested_amount")
    sortable_by = ("opened_at", "requested_amount", "status")
    inlines = [MessageInline, OfferInline, EvidenceInline, DecisionInline]
    actions = ["decide_selected"]
    readonly_fields = (
        "purchase_order",
        "reseller",
        "supplier",
        "opened_by",
        "reason",
        "requested_amount",
        "description",
        "status",
        "waiting_on",
        "opened_at",
        "dispute_until",
        "confirm_time_left",
        "escalated_at",
        "auto_escalated",
        "escalated_by",
        "closed_at",
        "outcome",
        "refund_amount",
        "release_amount",
        "audit_trail",
    )
    fields = readonly_fields
    change_form_template = "admin/disputes/dispute/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_staff and request.method in ("GET", "HEAD")

    @admin.display(description=_("purchase order"), ordering="purchase_order__number")
    def po_number(self, obj):
        return obj.purchase_order.number

    @admin.display(description=_("age (days)"), ordering="opened_at")
    def age_days(self, obj):
        return (timezone.now() - obj.opened_at).days

    @admin.display(description=_("audit trail"))
    def audit_trail(self, obj):
        events = (
            AuditEvent.objects.filter(object_type="disputes.dispute", object_id=str(obj.pk)).select_related("actor").order_by("created_at")
        )
        rows = format_html_join(
            "",
            "<li>{} · {} · {} · {}</li>",
            ((e.created_at.strftime("%Y-%m-%d %H:%M"), e.actor or _("system"), e.action, e.summary) for e in events),
        )
        return format_html("<ul>{}</ul>", rows) if rows else "—"

    @admin.action(description=_("Decide the selected dispute"))
    def decide_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one dispute to decide."), messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:disputes_dispute_decide", args=[queryset.first().pk]))

    def get_urls(self):
        return [path("<int:pk>/decide/", self.admin_site.admin_view(self.decide_view), name="disputes_dispute_decide"), *super().get_urls()]

    def decide_view(self, request, pk: int):
        dispute = get_object_or_404(Dispute.objects.select_related("purchase_order", "reseller", "supplier"), pk=pk)
        held = dispute.purchase_order.in_question if dispute.is_open else None
        form = None
        if dispute.is_open:
            form = DisputeDecisionForm(
                request.POST or None,
                held=held,
                initial={"refund_amount": dispute.requested_amount, "release_amount": held - dispute.requested_amount},
            )
            if request.method == "POST" and form.is_valid():
                data = form.cleaned_data
                try:
                    dispute_decide(
                        actor=request.user,
                        dispute=dispute,
                        refund_amount=data["refund_amount"],
                        release_amount=data["release_amount"],
                        decision=data["decision"],
                        at_fault=data["at_fault"] or "",
                        penalty_sanction=data["penalty_sanction"] or None,
                        penalty_rule=data["penalty_rule"],
                        penalty_days=data["penalty_days"],
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    self.message_user(request, _("Decision recorded; the escrow was split and both sides notified."), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide dispute %(number)s") % {"number": dispute.number},
            "dispute": dispute,
            "held": held,
            "form": form,
            "opts": self.model._meta,
            "offers": dispute.offers.all(),
        }
        return TemplateResponse(
            request, "admin/disputes/dispute/decide.html", context, status=400 if form is not None and form.errors else 200
        )


class DisputeInlineForPurchaseOrder(admin.TabularInline):
    """For procurement's PO admin: ``inlines = [..., DisputeInlineForPurchaseOrder]`` lists the PO's disputes."""

    model = Dispute
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("opened_at", "reason", "requested_amount", "status", "waiting_on", "outcome", "refund_amount", "release_amount")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
