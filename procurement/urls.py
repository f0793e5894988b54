from django.urls import path

from . import views, views_intake

app_name = "procurement"

urlpatterns = [
    # reseller
    path("purchase-orders/", views.ResellerPOListView.as_view(), name="reseller_po_list"),
    path("purchase-orders/new/", views.PlaceView.as_view(), name="reseller_po_place"),
    path("purchase-orders/new/skus/", views.SKUSearchView.as_view(), name="reseller_sku_search"),
    path("purchase-orders/new/line/", views.LineRowView.as_view(), name="reseller_line_row"),
    path("purchase-orders/new/quote/", views.QuoteView.as_view(), name="reseller_po_quote"),
    path("purchase-orders/address-fields/", views.AddressFieldsView.as_view(), name="address_fields"),
    path("purchase-orders/addresses/", views.SavedAddressListView.as_view(), name="saved_addresses"),
    path("purchase-orders/auto-pay/", views.AutoPayView.as_view(), name="auto_pay"),
    path("purchase-orders/imports/", views_intake.OrderImportUploadView.as_view(), name="order_import_upload"),
    path("purchase-orders/imports/mappings/", views_intake.OrderImportMappingView.as_view(), name="order_import_mapping"),
    path("purchase-orders/imports/<int:pk>/", views_intake.OrderImportDetailView.as_view(), name="order_import_detail"),
    path("purchase-orders/imports/<int:pk>/place/", views_intake.OrderImportPlaceView.as_view(), name="order_import_place"),
    path("purchase-orders/imports/<int:pk>/progress/", views_intake.OrderImportProgressView.as_view(), name="order_import_progress"),
    path(
        "purchase-orders/imports/<int:pk>/rows/<int:row_id>/fix/", views_intake.OrderImportRowFixView.as_view(), name="order_import_row_fix"
    ),  # noqa: E501
    path(
        "purchase-orders/imports/<int:pk>/rows/<int:row_id>/skip/",
        views_intake.OrderImportRowSkipView.as_view(),
        name="order_import_row_skip",
    ),  # noqa: E501
    path("purchase-orders/bulk-pay/", views_intake.PurchaseOrderBulkPayView.as_view(), name="reseller_po_bulk_pay"),
    path("purchase-orders/export.<str:fmt>", views_intake.PurchaseOrderExportView.as_view(), name="reseller_po_export"),
    path("shops/<int:pk>/bulk-ship.<str:fmt>", views_intake.ShopBulkShipFileView.as_view(), name="shop_bulk_ship_file"),
    path("purchase-orders/<str:number>/", views.ResellerPODetailView.as_view(), name="reseller_po_detail"),
    path("purchase-orders/<str:number>/pay/", views.ResellerPOPayView.as_view(), name="reseller_po_pay"),
    path("purchase-orders/<str:number>/cancel/", views.ResellerPOCancelView.as_view(), name="reseller_po_cancel"),
    path("purchase-orders/<str:number>/confirm/", views.ResellerPOConfirmView.as_view(), name="reseller_po_confirm"),
    path("purchase-orders/<str:number>/address/", views.ResellerPOAddressView.as_view(), name="reseller_po_address"),
    # supplier
    path("supplier/purchase-orders/", views.SupplierPOListView.as_view(), name="supplier_po_list"),
    path("supplier/purchase-orders/ship-queue.csv", views.SupplierShipQueueCSVView.as_view(), name="supplier_ship_queue_csv"),
    path("supplier/purchase-orders/bulk-ship/", views.SupplierBulkShipView.as_view(), name="supplier_bulk_ship"),
    path("supplier/purchase-orders/<str:number>/", views.SupplierPODetailView.as_view(), name="supplier_po_detail"),
    path("supplier/purchase-orders/<str:number>/ship/", views.SupplierPOShipView.as_view(), name="supplier_po_ship"),
    path("supplier/purchase-orders/<str:number>/package/", views.SupplierPOPackageView.as_view(), name="supplier_po_package"),
    path("supplier/purchase-orders/<str:number>/tracking/", views.SupplierPOTrackingView.as_view(), name="supplier_po_tracking"),
    path("supplier/purchase-orders/<str:number>/cancel/", views.SupplierPOCancelView.as_view(), name="supplier_po_cancel"),
]
