"""Django admin for platform staff: users, organisations and members, supplier review
(approve/suspend/reject, audited, owner notified), resellers, agreement versions (publish),
acceptances (read-only), invitations, penalties, notifications. Actions call services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyAdminMixin
from distribution.core.errors import DomainError
from resellers.models import Reseller
from suppliers.models import Supplier

from . import services
from .models import (
    AgreementAcceptance,
    AgreementVersion,
    Invitation,
    Membership,
    Notification,
    Organisation,
    Penalty,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "organisation", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "full_name")
    list_select_related = ("membership__organisation",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description=_("organisation"))
    def organisation(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organisation if membership else "—"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ("email", "role", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = ("accepted_at", "revoked_at")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "email", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "email", "memberships__user__email")
    inlines = [MembershipInline, InvitationInline]


def _run_on_each(modeladmin, request, queryset, func, done_message, **kwargs) -> None:
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            func(actor=request.user, **{modeladmin.service_arg: obj}, **kwargs)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    service_arg = "supplier"
    list_display = ("company_name", "credit_code", "contact_name", "phone", "status", "commission_rate", "created_at")
    list_filter = ("status",)
    search_fields = ("company_name", "credit_code", "contact_name", "organisation__memberships__user__email")
    readonly_fields = ("organisation", "status", "status_reason", "reviewed_at", "created_at", "updated_at")
    actions = ["approve", "suspend", "reject"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "company_name" in form.changed_data:
            from distribution.core import events

            events.publish("supplier.updated", supplier_id=obj.pk)  # the catalog search indexes the name

    @admin.action(description=_("Approve selected suppliers (notify the owner)"))
    def approve(self, request, queryset):
        _run_on_each(self, request, queryset, services.supplier_approve, _("%(count)d supplier(s) approved."))

    @admin.action(description=_("Suspend selected suppliers (notify the owner)"))
    def suspend(self, request, queryset):
        reason = str(_("Suspended by platform staff after review (R17). Contact the platform for details."))
        _run_on_each(self, request, queryset, services.supplier_suspend, _("%(count)d supplier(s) suspended."), reason=reason)

    @admin.action(description=_("Reject selected applications (notify the owner)"))
    def reject(self, request, queryset):
        reason = str(_("The company information could not be verified (R2). Contact the platform for details."))
        _run_on_each(self, request, queryset, services.supplier_reject, _("%(count)d supplier(s) rejected."), reason=reason)


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    list_display = ("name", "channel_type", "store_name", "contact_name", "contact_phone", "auto_pay", "created_at")
    list_filter = ("channel_type",)
    search_fields = ("name", "store_name", "contact_name", "organisation__memberships__user__email")
    readonly_fields = ("organisation", "created_at", "updated_at")


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    service_arg = "version"
    list_display = ("version", "title", "published_at", "acceptance_count", "created_at")
    readonly_fields = ("published_at", "created_at")
    actions = ["publish"]

    @admin.display(description=_("acceptances"))
    def acceptance_count(self, obj):
        return obj.acceptances.count()

    def get_readonly_fields(self, request, obj=None):
        # A published text is what people signed: it is never edited.
        if obj is not None and obj.published_at is not None:
            return ("version", "title", "supplier_text", "reseller_text", "published_at", "created_at")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.published_at is None

    @admin.action(description=_("Publish selected versions (members must accept them)"))
    def publish(self, request, queryset):
        _run_on_each(self, request, queryset, services.agreement_publish, _("%(count)d version(s) published."))


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "version", "accepted_at", "ip_address")
    list_filter = ("version",)
    search_fields = ("user__email", "ip_address")
    list_select_related = ("user", "version")
    date_hierarchy = "accepted_at"


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__name")
    list_select_related = ("organisation",)
    readonly_fields = ("token", "invited_by", "created_at", "accepted_at")


@admin.register(Penalty)
class PenaltyAdmin(admin.ModelAdmin):
    list_display = ("organisation", "rule", "sanction", "starts_at", "ends_at", "revoked_at", "created_by")
    list_filter = ("sanction", "rule")
    search_fields = ("organisation__name", "description")
    list_select_related = ("organisation", "created_by")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
