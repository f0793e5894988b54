"""Platform staff's workplace for disputes (queue, decision), violations and rebates.

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
from settlement.services import escrow_held

from .forms import DisputeDecisionForm, ViolationForm
from .models import (
    Dispute,
    DisputeDecision,
    DisputeEvidence,
    DisputeMessage,
    DisputeOffer,
    FindingReview,
    PenaltyEvidence,
    ProposedRebate,
    RebateRule,
    Violation,
)
from .rules import RULES
from .services import dispute_decide
from .services_compliance import penalty_record, penalty_revoke
from .services_inspection import penalty_from_findings


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
        held = escrow_held(dispute.purchase_order.number) if dispute.is_open else None
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


class PenaltyEvidenceInline(admin.TabularInline):
    model = PenaltyEvidence
    extra = 0
    fields = ("created_at", "note", "file")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    """Record a violation: rule from the agreement's list, sanction, period in days, evidence."""

    list_display = ("organisation", "rule", "rule_title", "sanction", "starts_at", "ends_at", "active_now", "revoked_at", "created_by")
    list_filter = ("sanction", "rule", "organisation__kind")
    search_fields = ("organisation__name", "description")
    list_select_related = ("organisation", "created_by")
    inlines = [PenaltyEvidenceInline]
    actions = ["revoke_selected"]
    autocomplete_fields = ()

    def get_queryset(self, request):
        return super().get_queryset(request).with_in_force()

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ViolationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "rule", "description", "sanction", "starts_at", "days", "evidence_files", "evidence_note"]
        return ["organisation", "rule", "rule_text", "description", "sanction", "starts_at", "ends_at", "revoked_at", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("rule text"))
    def rule_text(self, obj):
        rule = RULES.get(obj.rule)
        return rule.text if rule else "—"

    @admin.display(description=_("in force"), boolean=True)
    def active_now(self, obj):
        return getattr(obj, "in_force", None)

    @admin.display(description=_("rule title"))
    def rule_title(self, obj):
        return obj.rule_title

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        penalty = penalty_record(
            actor=request.user,
            organisation=data["organisation"],
            rule=data["rule"],
            description=data["description"],
            sanction=data["sanction"],
            days=data.get("days"),
            starts_at=data.get("starts_at"),
            evidence_files=data.get("evidence_files") or [],
            evidence_note=data.get("evidence_note") or "",
        )
        obj.pk = penalty.pk

    def save_related(self, request, form, formsets, change):
        return None

    @admin.action(description=_("Revoke the selected penalties"))
    def revoke_selected(self, request, queryset):
        done = 0
        for penalty in queryset:
            try:
                penalty_revoke(actor=request.user, penalty=penalty)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{penalty}: {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)s penalties revoked.") % {"n": done}, messages.SUCCESS)


@admin.register(RebateRule)
class RebateRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "supplier", "reseller", "percent", "threshold_amount", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "supplier__name", "reseller__name")
    list_select_related = ("supplier", "reseller")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProposedRebate)
class ProposedRebateAdmin(admin.ModelAdmin):
    list_display = ("month_on", "supplier", "reseller", "base_amount", "amount", "status", "decided_at")
    list_filter = ("status", "month_on")
    search_fields = ("supplier__name", "reseller__name")
    list_select_related = ("supplier", "reseller")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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


class PenalisedFilter(admin.SimpleListFilter):
    title = _("penalty")
    parameter_name = "penalised"

    def lookups(self, request, model_admin):
        return [("no", _("Not penalised yet")), ("yes", _("Penalised"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(penalty_link__isnull=True)
        if self.value() == "yes":
            return queryset.filter(penalty_link__isnull=False)
        return queryset


@admin.register(FindingReview)
class FindingReviewAdmin(admin.ModelAdmin):
    """Open inspection findings; one action turns the selected ones into a penalty per reseller."""

    list_display = ("found_at", "reseller", "supplier", "kind", "listing", "warned_at", "resolved_at", "penalty")
    list_filter = (PenalisedFilter, "kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("reseller__name", "supplier__company_name")
    list_select_related = ("reseller", "supplier", "listing", "penalty_link")
    ordering = ("-found_at",)
    actions = ["penalise_warning", "penalise_suspend_ordering"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("penalty"))
    def penalty(self, obj):
        link = getattr(obj, "penalty_link", None)
        return link.penalty_id if link else "—"

    def _penalise(self, request, queryset, sanction: str, days: int | None):
        try:
            made = penalty_from_findings(
                actor=request.user, finding_ids=list(queryset.values_list("pk", flat=True)), sanction=sanction, days=days
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request, _("%(n)s penalties recorded (open findings already penalised are skipped).") % {"n": len(made)}, messages.SUCCESS
        )

    @admin.action(description=_("Record a warning (R7) for the selected findings"))
    def penalise_warning(self, request, queryset):
        self._penalise(request, queryset, "warning", None)

    @admin.action(description=_("Suspend ordering for 7 days (R7) for the selected findings"))
    def penalise_suspend_ordering(self, request, queryset):
        self._penalise(request, queryset, "suspend_ordering", 7)
