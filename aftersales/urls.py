from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    path("after-sales/", views.AfterSaleListView.as_view(), {"side": "reseller"}, name="reseller_list"),
    path("after-sales/open/<str:number>/", views.AfterSaleOpenView.as_view(), name="open"),
    path("after-sales/<str:number>/", views.AfterSaleDetailView.as_view(), {"side": "reseller"}, name="reseller_detail"),
    path("after-sales/<str:number>/<str:action>/", views.AfterSaleActionView.as_view(), {"side": "reseller"}, name="reseller_action"),
    path("supplier/after-sales/", views.AfterSaleListView.as_view(), {"side": "supplier"}, name="supplier_list"),
    path("supplier/after-sales/<str:number>/", views.AfterSaleDetailView.as_view(), {"side": "supplier"}, name="supplier_detail"),
    path(
        "supplier/after-sales/<str:number>/<str:action>/",
        views.AfterSaleActionView.as_view(),
        {"side": "supplier"},
        name="supplier_action",
    ),
]
