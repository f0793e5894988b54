"""Resellers' URLs, mounted at the site root: ``/catalog/…`` (discovery) and ``/store/…``
(store list, feeds, findings, and the supplier's inspection reports)."""

from django.urls import path

from . import views, views_shops

app_name = "resellers"

urlpatterns = [
    path("accounts/signup/reseller/", views.ResellerSignupView.as_view(), name="signup"),
    path("catalog/", views.CatalogSearchView.as_view(), name="catalog"),
    path("catalog/products/<int:pk>/", views.CatalogProductView.as_view(), name="catalog_product"),
    path("catalog/suppliers/<int:pk>/", views.CatalogSupplierView.as_view(), name="catalog_supplier"),
    path("store/", views.StoreListView.as_view(), name="store_list"),
    path("store/publish/<int:pk>/", views.StorePublishView.as_view(), name="publish"),
    path("store/bulk-publish/", views.BulkPublishView.as_view(), name="bulk_publish"),
    path("store/listings/<int:pk>/price/", views.ListingPriceView.as_view(), name="listing_price"),
    path("store/listings/<int:pk>/unpublish/", views.ListingUnpublishView.as_view(), name="listing_unpublish"),
    path("store/listings/<int:pk>/republish/", views.ListingRepublishView.as_view(), name="listing_republish"),
    path("store/shops/", views_shops.ShopListView.as_view(), name="shops"),
    path("store/shops/<int:pk>/", views_shops.ShopEditView.as_view(), name="shop_edit"),
    path("store/listings/<int:pk>/item-code/", views_shops.ListingItemCodeView.as_view(), name="listing_item_code"),
    path("store/feeds/", views.FeedIndexView.as_view(), name="feeds"),
    path("store/feeds/products.<str:fmt>", views.FeedView.as_view(kind="products"), name="feed_products"),
    path("store/feeds/stock.<str:fmt>", views.FeedView.as_view(kind="stock"), name="feed_stock"),
    path("store/findings/", views.FindingListView.as_view(), name="findings"),
    path("store/findings/<int:pk>/fix/", views.FindingFixView.as_view(), name="finding_fix"),
    path("store/supplier-inspections/", views.InspectionListView.as_view(), name="inspections"),
    path("store/download-records/", views.DownloadRecordsView.as_view(), name="download_records"),
    path("store/supplier-inspections/<int:pk>/", views.InspectionReportView.as_view(), name="inspection_detail"),
    path("store/supplier-inspections/<int:pk>/warn/", views.InspectionWarnView.as_view(), name="inspection_warn"),
]
