"""The suppliers' pages, mounted at ``/supplier/``."""

from django.urls import include, path

from .views import catalog, imports, tiers

app_name = "suppliers"

urlpatterns = [
    path("products/", catalog.ProductListView.as_view(), name="product_list"),
    path("products/new/", catalog.ProductCreateView.as_view(), name="product_create"),
    path("products/<int:pk>/", catalog.ProductDetailView.as_view(), name="product_detail"),
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
    path("", include("suppliers.urls_partners")),
]
