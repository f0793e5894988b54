from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_mixins import ReadOnlyAdminMixin
from .models import AuditEvent

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
