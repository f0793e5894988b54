"""Staff review of supplier companies (R2): approve, suspend, reject; audited, the owner notified."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import run_on_each
from suppliers.models import Supplier
from suppliers.services import lifecycle


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("company_name", "credit_code", "contact_name", "phone", "status", "commission_rate", "created_at")
    list_filter = ("status",)
    search_fields = ("company_name", "credit_code", "contact_name", "organisation__memberships__user__email")
    readonly_fields = ("organisation", "status", "status_reason", "reviewed_at", "created_at", "updated_at")
    actions = ["approve", "suspend", "reject"]

    @admin.action(description=_("Approve selected suppliers (notify the owner)"))
    def approve(self, request, queryset):
        run_on_each(
            self, request, queryset, lambda s: lifecycle.supplier_approve(actor=request.user, supplier=s),
            _("%(count)d supplier(s) approved."),
        )

    @admin.action(description=_("Suspend selected suppliers (notify the owner)"))
    def suspend(self, request, queryset):
        reason = str(_("Suspended by platform staff after review (R17). Contact the platform for details."))
        run_on_each(
            self, request, queryset, lambda s: lifecycle.supplier_suspend(actor=request.user, supplier=s, reason=reason),
            _("%(count)d supplier(s) suspended."),
        )

    @admin.action(description=_("Reject selected applications (notify the owner)"))
    def reject(self, request, queryset):
        reason = str(_("The company information could not be verified (R2). Contact the platform for details."))
        run_on_each(
            self, request, queryset, lambda s: lifecycle.supplier_reject(actor=request.user, supplier=s, reason=reason),
            _("%(count)d supplier(s) rejected."),
        )
