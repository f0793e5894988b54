from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("supplier/sales/", views.SupplierSalesView.as_view(), name="supplier_sales"),
    path("supplier/service/", views.SupplierServiceView.as_view(), name="supplier_service"),
    path("supplier/stock/", views.SupplierStockView.as_view(), name="supplier_stock"),
    path("reseller/spend/", views.ResellerSpendView.as_view(), name="reseller_spend"),
    path("reseller/compliance/", views.ResellerComplianceView.as_view(), name="reseller_compliance"),
    path("platform/", views.PlatformReportView.as_view(), name="platform"),
    path("digest/", views.DigestView.as_view(), name="digest"),
]
