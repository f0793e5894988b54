"""Supplier-side pages for recruitment, applications and partnerships (mounted under ``/supplier/``)."""

from django.urls import path

from .views import partnerships as views

app_name = "supplier_partners"

urlpatterns = [
    path("recruitment/", views.SupplierRecruitmentListView.as_view(), name="recruitment_list"),
    path("recruitment/new/", views.RecruitmentFormView.as_view(), name="recruitment_create"),
    path("recruitment/<int:pk>/edit/", views.RecruitmentFormView.as_view(), name="recruitment_edit"),
    path("recruitment/<int:pk>/toggle/", views.RecruitmentToggleView.as_view(), name="recruitment_toggle"),
    path("applications/", views.SupplierApplicationListView.as_view(), name="application_list"),
    path("applications/<int:pk>/", views.SupplierApplicationDetailView.as_view(), name="application_detail"),
    path("partnerships/", views.SupplierPartnershipListView.as_view(), name="partnership_list"),
    path("partnerships/<int:pk>/", views.SupplierPartnershipDetailView.as_view(), name="partnership_detail"),
    path("resellers/<int:reseller_pk>/", views.SupplierResellerDetailView.as_view(), name="reseller_detail"),
]
