from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import audit, outbox
from .admin_mixins import ReadOnlyAdminMixin
from .models import AuditEvent, OutboxMessage

# The staff site speaks as the platform, not as "Django administration".
admin.site.site_header = _("Distribution platform administration")
admin.site.site_title = _("Distribution platform")
admin.site.index_title = _("Platform administration")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor", "organisation", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor__email")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "organisation")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Work waiting to leave the platform (webhooks, emails, task kicks); failed rows are quarantined here."""

    list_display = ("id", "topic", "queue", "status", "attempts", "available_at", "created_at", "processed_at")
    list_filter = ("status", "queue", "topic")
    search_fields = ("topic", "coalesce_key", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = ("last_error",)
    actions = ["retry_messages"]

    @admin.action(description=_("Retry the selected failed messages now"))
    def retry_messages(self, request, queryset):
        ids = list(queryset.filter(status=OutboxMessage.Status.FAILED).values_list("pk", flat=True))
        with transaction.atomic():
            count = outbox.retry(message_ids=ids)
            audit.audit(actor=request.user, action="outbox.retry", summary=f"{count} messages", data={"ids": ids})
        self.message_user(request, _("%(count)s messages put back in line.") % {"count": count})
