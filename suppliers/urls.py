"""The supplier's own pages (namespace ``suppliers``), mounted at ``/supplier/``: catalog, imports,
tiers and terms, recruitment, applications and partnerships. Public and reseller-facing pages are
``suppliers/urls_public.py`` (namespace ``partners``)."""

from django.urls import path

from .views import catalog, commercial, imports, partnerships, tiers

app_name = "suppliers"

urlpatterns = [
    path("products/", catalog.ProductListView.as_view(), name="product_list"),
    path("products/new/", catalog.ProductCreateView.as_view(), name="product_create"),
    path("products/<int:pk>/", catalog.ProductDetailView.as_view(), name="product_detail"),
    path("products/uploads/", catalog.ProductUploadView.as_view(), name="product_upload"),
    path("products/sku-rows/", catalog.SKURowsView.as_view(), name="sku_rows"),
    path("products/<int:pk>/edit/", catalog.ProductEditView.as_view(), name="product_edit"),
    path("products/<int:pk>/submit/", catalog.ProductSubmitView.as_view(), name="product_submit"),
    path("products/<int:pk>/delist/", catalog.ProductDelistView.as_view(), name="product_delist"),
    path("skus/<int:pk>/stock/", catalog.SKUStockAdjustView.as_view(), name="sku_stock_adjust"),
    path("locations/cities/", catalog.CityOptionsView.as_view(), name="city_options"),
    path("products/import/", imports.ImportView.as_view(), name="import"),
    path("products/import/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path("products/export/", imports.ExportView.as_view(), name="export"),
    path("tiers/", tiers.TierListView.as_view(), name="tier_list"),
    path("tiers/<int:pk>/edit/", tiers.TierEditView.as_view(), name="tier_edit"),
    path("tiers/<int:pk>/delete/", tiers.TierDeleteView.as_view(), name="tier_delete"),
    path("terms/", tiers.TermsView.as_view(), name="terms"),
    path("shipping-templates/", commercial.ShippingTemplateListView.as_view(), name="shipping_templates"),
    path("shipping-templates/<int:pk>/", commercial.ShippingTemplateDetailView.as_view(), name="shipping_template"),
    path("skus/<int:pk>/prices/", commercial.SKUPricesView.as_view(), name="sku_prices"),
    path("product-lines/", commercial.ProductLineListView.as_view(), name="product_lines"),
    path("product-lines/<int:pk>/", commercial.ProductLineEditView.as_view(), name="product_line"),
    path("recruitment/", partnerships.SupplierRecruitmentListView.as_view(), name="recruitment_list"),
    path("recruitment/new/", partnerships.RecruitmentFormView.as_view(), name="recruitment_create"),
    path("recruitment/<int:pk>/edit/", partnerships.RecruitmentFormView.as_view(), name="recruitment_edit"),
    path("recruitment/<int:pk>/toggle/", partnerships.RecruitmentToggleView.as_view(), name="recruitment_toggle"),
    path("applications/", partnerships.SupplierApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", partnerships.SupplierApplicationDetailView.as_view(), name="application_detail"),
    path("partnerships/", partnerships.SupplierPartnershipListView.as_view(), name="partnership_list"),
    path("partnerships/<int:pk>/", partnerships.SupplierPartnershipDetailView.as_view(), name="partnership_detail"),
    path("resellers/<int:reseller_pk>/", partnerships.SupplierResellerDetailView.as_view(), name="reseller_detail"),
]
