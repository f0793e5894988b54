"""Django admin for platform staff: users, organisations and members, agreement versions
(publish), acceptances (read-only), invitations, penalties, notifications. Actions call
services. Supplier review is ``suppliers.admin.profile``; resellers are ``resellers.admin``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyAdminMixin, run_on_each

from . import profile, services
from .models import (
    AgreementAcceptance,
    AgreementVersion,
    Invitation,
    Membership,
    Notification,
    Organisation,
    Penalty,
    ProfileChange,
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


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
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
        run_on_each(
            self, request, queryset, lambda v: services.agreement_publish(actor=request.user, version=v),
            _("%(count)d version(s) published."),
        )


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
    list_display = ("title_shown", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    @admin.display(description=_("title"), ordering="title")
    def title_shown(self, obj):
        """The title in the reader's language (the stored text is the default language's)."""
        return obj.display_title


@admin.register(ProfileChange)
class ProfileChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Legal company fields changed after signup (R2): the live profile keeps its values until
    staff approve here; approve or reject with the actions (the managers are notified)."""

    list_display = ("organisation", "changes_shown", "status", "requested_by", "created_at", "reviewed_at")
    list_filter = ("status", "organisation__kind")
    search_fields = ("organisation__name",)
    list_select_related = ("organisation", "requested_by")
    readonly_fields = ("organisation", "changes_shown", "status", "reason", "requested_by", "reviewed_by", "reviewed_at", "created_at")
    exclude = ("changes",)
    actions = ["approve", "reject"]

    @admin.display(description=_("changes"))
    def changes_shown(self, obj):
        model = type(profile.profile_of(obj.organisation))
        return "; ".join(
            f"{model._meta.get_field(name).verbose_name}: {values['from']} → {values['to']}" for name, values in obj.changes.items()
        )

    @admin.action(description=_("Approve selected profile changes (they go live; notify the managers)"))
    def approve(self, request, queryset):
        run_on_each(
            self, request, queryset, lambda c: profile.profile_change_approve(actor=request.user, change=c),
            _("%(count)d profile change(s) approved."),
        )

    @admin.action(description=_("Reject selected profile changes (notify the managers)"))
    def reject(self, request, queryset):
        reason = str(_("The new company information could not be verified (R2). Contact the platform for details."))
        run_on_each(
            self, request, queryset, lambda c: profile.profile_change_reject(actor=request.user, change=c, reason=reason),
            _("%(count)d profile change(s) rejected."),
        )
