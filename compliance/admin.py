"""Platform staff's workplace for violations (penalties with evidence), inspection findings and rebates.

Every change goes through a service, which audits it; records are read-only here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from distribution.core.errors import DomainError

from .forms import ViolationForm
from .models import FindingReview, PenaltyEvidence, ProposedRebate, RebateRule, Violation
from .rules import RULES
from .services.inspection import penalty_from_findings
from .services.penalties import penalty_record, penalty_revoke


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
