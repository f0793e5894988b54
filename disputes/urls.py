from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("disputes/", views.DisputeListView.as_view(), name="list"),
    path("disputes/open/<str:number>/", views.DisputeOpenView.as_view(), name="open"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="detail"),
    path("disputes/<int:pk>/evidence/<int:evidence_id>/", views.DisputeEvidenceView.as_view(), name="evidence"),
    path("disputes/<int:pk>/<str:action>/", views.DisputeActionView.as_view(), name="action"),
    path("rewards/", views.SupplierRewardsView.as_view(), name="rewards_supplier"),
    path("rewards/received/", views.ResellerRewardsView.as_view(), name="rewards_reseller"),
    path("wallet/rewards/", views.RewardListView.as_view(), name="reward_list"),
]
