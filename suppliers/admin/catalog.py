"""Staff tools for the catalog: the category tree, the listing review queue (R3), SKUs and stock history.

Actions call the services, so staff decisions are locked, audited and notified like
any other. The Supplier admin (review) is ``suppliers.admin.profile``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from distribution.core.admin_mixins import ReadOnlyAdminMixin, run_on_each
from suppliers import services
from suppliers.models import SKU, Category, ComplianceDocument, ImportJob, Product, ProductImage, StockAdjustment
from suppliers.validators import sanitise_description


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "parent", "position", "product_count")
    list_editable = ("position",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name",)
    ordering = ("parent__position", "parent__name", "position", "name")
    list_select_related = ("parent",)

    @admin.display(description=_("name"))
    def indented_name(self, obj: Category) -> str:
        return str(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_products=Count("products"))

    @admin.display(description=_("products"), ordering="n_products")
    def product_count(self, obj: Category) -> int:
        return obj.n_products


def _rendered(html: str) -> str:
    """Staff see the description as resellers will; sanitised again here, so it is safe to render."""
    return format_html("<div style='max-width:48rem'>{}</div>", mark_safe(sanitise_description(html)))  # noqa: S308


class ReviewQueueFilter(admin.SimpleListFilter):
    title = _("review queue")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting for review (new or changed)")),
            ("new", _("New listings")),
            ("changes", _("Changes to listed products")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(Q(status=Product.Status.PENDING_REVIEW) | Q(status=Product.Status.LISTED, has_pending_changes=True))
        if self.value() == "new":
            return queryset.filter(status=Product.Status.PENDING_REVIEW)
        if self.value() == "changes":
            return queryset.filter(status=Product.Status.LISTED, has_pending_changes=True)
        return queryset


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    can_delete = False
    fields = ("preview", "approved", "pending_removal", "position")
    readonly_fields = fields

    @admin.display(description=_("image"))
    def preview(self, obj: ProductImage) -> str:
        url = obj.thumbnail.url if obj.thumbnail else obj.image.url
        return format_html('<a href="{}"><img src="{}" width="80" alt=""></a>', obj.image.url, url)

    def has_add_permission(self, request, obj=None):
        return False


class ComplianceDocumentInline(admin.TabularInline):
    model = ComplianceDocument
    extra = 0
    can_delete = False
    fields = ("kind", "file", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class SKUInline(admin.TabularInline):
    model = SKU
    extra = 0
    can_delete = False
    fields = ("code", "attributes", "supply_price_amount", "suggested_retail_amount", "min_retail_amount",
              "max_retail_amount", "weight_grams", "on_hand", "reserved", "is_active")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown to the supplier)"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "supplier", "category", "status", "has_pending_changes", "updated_at")
    list_filter = (ReviewQueueFilter, "status", "has_pending_changes", "is_imported", ("category", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "approved_title", "supplier__company_name", "skus__code")
    list_select_related = ("supplier", "category", "category__parent")
    inlines = [SKUInline, ProductImageInline, ComplianceDocumentInline]
    actions = ["approve_selected", "reject_selected", "delist_selected"]
    # Staff change products only through the actions (services: locked, audited, notified).
    readonly_fields = ("supplier", "category", "title", "approved_title", "description_html", "approved_description_html", "brand",
                       "province_code", "city_code", "is_imported", "status", "status_reason", "has_pending_changes",
                       "listed_at", "created_at", "updated_at")  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("description"))
    def description_html(self, obj: Product) -> str:
        return _rendered(obj.description)

    @admin.display(description=_("approved description"))
    def approved_description_html(self, obj: Product) -> str:
        return _rendered(obj.approved_description)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve selected listings / changes"))
    def approve_selected(self, request, queryset):
        run_on_each(self, request, queryset, lambda p: services.product_approve(actor=request.user, product=p), _("Approved %(n)s."))

    def _with_reason(self, request, queryset, action: str, title: str, call, done_message):
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                run_on_each(self, request, queryset, lambda p: call(p, reason), done_message)
                return None
        else:
            form = ReasonForm()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "products": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "suppliers/admin/reason_form.html", context)

    @admin.action(description=_("Reject selected listings / changes (with a reason)"))
    def reject_selected(self, request, queryset):
        return self._with_reason(
            request, queryset, "reject_selected", _("Reject listings"),
            lambda p, reason: services.product_reject(actor=request.user, product=p, reason=reason), _("Rejected %(n)s."),
        )  # fmt: skip

    @admin.action(description=_("Delist selected products (with a reason)"))
    def delist_selected(self, request, queryset):
        return self._with_reason(
            request, queryset, "delist_selected", _("Delist products"),
            lambda p, reason: services.product_delist(actor=request.user, product=p, reason=reason), _("Delisted %(n)s."),
        )  # fmt: skip


@admin.register(StockAdjustment)
class StockAdjustmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "sku", "delta", "on_hand_after", "reason", "actor")
    search_fields = ("sku__code", "reason")
    list_select_related = ("sku", "actor")
    date_hierarchy = "created_at"


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "supplier", "original_name", "status", "progress", "total_rows")
    list_filter = ("status",)
    list_select_related = ("supplier",)
    readonly_fields = ("supplier", "created_by", "file", "original_name", "status", "progress", "total_rows",
                       "processed_rows", "errors", "summary", "created_at", "finished_at")  # fmt: skip

    def has_add_permission(self, request):
        return False
