from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit, outbox, sweeps
from .admin_mixins import ReadOnlyAdminMixin
from .models import AuditEvent, Heartbeat, OutboxMessage, SweepFailure, SweepRun

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


@admin.register(SweepFailure)
class SweepFailureAdmin(admin.ModelAdmin):
    """Rows a sweep could not act on. Quarantined rows wait for staff: fix the cause, then “Retry now”."""

    list_display = ("sweep", "object_id", "failures", "quarantined", "last_error", "last_failed_at", "next_retry_at")
    list_filter = ("quarantined", "sweep")
    search_fields = ("object_id", "last_error")
    readonly_fields = [f.name for f in SweepFailure._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        succeeded = failed = 0
        for failure in queryset.order_by("pk"):
            if sweeps.retry_failure(failure):
                succeeded += 1
            else:
                failed += 1
            audit.audit(
                actor=request.user,
                action="sweep.retry",
                obj=None,
                summary=f"{failure.sweep} #{failure.object_id}",
            )
        if succeeded:
            self.message_user(request, _("%(count)s rows done.") % {"count": succeeded}, messages.SUCCESS)
        if failed:
            self.message_user(
                request, _("%(count)s rows failed again or wait for the next run of their sweep.") % {"count": failed}, messages.WARNING
            )


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sweep", "started_at", "finished_at", "acted", "failed", "backlog_after", "error")
    list_filter = ("sweep",)
    date_hierarchy = "started_at"


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "beat_at", "is_alive")

    @admin.display(boolean=True, description=_("alive"))
    def is_alive(self, obj):
        return timezone.now() - obj.beat_at <= settings.BEAT_HEARTBEAT_STALE_AFTER
