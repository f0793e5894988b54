"""Staff admin for recruitment posts, applications, partnerships and message threads.

Actions call services; threads are read-only (staff read them when resolving disputes).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyAdminMixin
from distribution.core.errors import DomainError
from suppliers.models import Message, MessageAttachment, MessageThread, Partnership, PartnershipApplication, RecruitmentPost
from suppliers.services import partnerships as svc


@admin.register(RecruitmentPost)
class RecruitmentPostAdmin(admin.ModelAdmin):
    list_display = ("title", "supplier", "tier", "is_open", "created_at")
    list_filter = ("is_open",)
    search_fields = ("title", "body", "supplier__company_name")
    list_select_related = ("supplier", "tier")
    raw_id_fields = ("supplier", "tier")


@admin.register(PartnershipApplication)
class PartnershipApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reseller", "supplier", "post", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("reseller__name", "supplier__company_name")
    list_select_related = ("reseller", "supplier", "post")


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("supplier", "reseller", "tier", "status", "started_at", "ends_at", "terminated_by", "last_feed_at")
    list_filter = ("status", "terminated_by")
    search_fields = ("reseller__name", "supplier__company_name")
    list_select_related = ("supplier", "reseller", "tier")
    actions = ["terminate_now"]
    readonly_fields = [f.name for f in Partnership._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Terminate now (staff decision, recorded in the audit log)"))
    def terminate_now(self, request, queryset):
        ended = 0
        for partnership in queryset.order_by("pk"):
            try:
                svc.partnership_end_by_staff(
                    actor=request.user, partnership=partnership, reason=str(_("Ended by platform staff."))
                )
            except DomainError as exc:
                self.message_user(request, f"{partnership}: {exc.message}", messages.WARNING)
            else:
                ended += 1
        if ended:
            self.message_user(request, _("%(n)d partnership(s) terminated.") % {"n": ended}, messages.SUCCESS)


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Message
    fields = ("created_at", "sender_side", "sender", "body")
    readonly_fields = fields
    extra = 0


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MessageAttachment
    fields = ("original_name", "content_type", "size", "file")
    readonly_fields = fields
    extra = 0


@admin.register(MessageThread)
class MessageThreadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "supplier", "reseller", "po_number", "last_message_at")
    search_fields = ("subject", "po_number", "supplier__company_name", "reseller__name")
    list_select_related = ("supplier", "reseller")
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("thread", "sender_side", "sender", "created_at")
    list_select_related = ("thread", "sender")
    inlines = [AttachmentInline]
