"""Purchase orders in admin: read-only, with lines and the transition log inline.

State changes go through the services (disputes are decided in the disputes admin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyInline
from distribution.core.durations import humanize_duration

from .models import PurchaseOrder, PurchaseOrderLine, PurchaseOrderTransition, SavedAddress


class LineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ("code", "title", "quantity", "unit_price", "retail_price", "line_amount")
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = PurchaseOrderTransition
    fields = ("created_at", "actor_label", "from_status", "to_status", "reason_shown")
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason_shown(self, obj):
        return obj.reason_display


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "status", "supplier", "reseller", "total_amount", "placed_at", "pay_by", "ship_by", "confirm_by")
    list_filter = ("status",)
    search_fields = ("number", "consumer_order_ref", "recipient", "tracking_number")
    list_select_related = ("supplier", "reseller")
    date_hierarchy = "placed_at"
    inlines = [LineInline, TransitionInline]

    def get_readonly_fields(self, request, obj=None):
        # every column as it is, except a duration in words and reasons in the reader's language
        shown = {"confirm_remaining": "confirm_time_left", "status_reason": "status_reason_shown"}
        return [shown.get(f.name, f.name) for f in self.model._meta.fields if f.name != "status_reason_text"]

    @admin.display(description=_("confirm remaining"))
    def confirm_time_left(self, obj):
        return humanize_duration(obj.confirm_remaining) or "—"

    @admin.display(description=_("reason"))
    def status_reason_shown(self, obj):
        return obj.status_reason_display

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SavedAddress)
class SavedAddressAdmin(admin.ModelAdmin):
    list_display = ("recipient", "reseller", "province_code", "city_code", "created_at")
    list_select_related = ("reseller",)
    raw_id_fields = ("reseller",)
