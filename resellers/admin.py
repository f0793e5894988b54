"""Staff views of resellers, store lists and inspection findings (store lists and findings read-only:
resellers and suppliers act on their pages)."""

from __future__ import annotations

from django.contrib import admin

from .models import InspectionFinding, Reseller, StoreListing


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StoreListing)
class StoreListingAdmin(ReadOnlyAdmin):
    list_display = ("sku", "reseller", "supplier", "retail_price_amount", "status", "flag_out_of_range", "flag_out_of_stock",
                    "flag_delisted", "flag_partnership_ended", "updated_at")
    list_filter = ("status", "flag_out_of_range", "flag_out_of_stock", "flag_delisted", "flag_partnership_ended")
    search_fields = ("sku__code", "reseller__name", "supplier__company_name")
    list_select_related = ("sku", "reseller", "supplier")
    raw_id_fields = ("sku", "reseller", "supplier")


@admin.register(InspectionFinding)
class InspectionFindingAdmin(ReadOnlyAdmin):
    list_display = ("kind", "reseller", "supplier", "listing", "found_at", "resolved_at", "warned_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("reseller__name", "supplier__company_name", "listing__sku__code")
    list_select_related = ("reseller", "supplier", "listing__sku")
    date_hierarchy = "found_at"


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    list_display = ("name", "channel_type", "store_name", "contact_name", "contact_phone", "auto_pay", "created_at")
    list_filter = ("channel_type",)
    search_fields = ("name", "store_name", "contact_name", "organisation__memberships__user__email")
    readonly_fields = ("organisation", "created_at", "updated_at")
