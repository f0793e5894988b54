from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("rewards/", views.SupplierRewardsView.as_view(), name="rewards_supplier"),
    path("rewards/received/", views.ResellerRewardsView.as_view(), name="rewards_reseller"),
    path("wallet/rewards/", views.RewardListView.as_view(), name="reward_list"),
]
