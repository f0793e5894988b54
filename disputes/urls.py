from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("disputes/", views.DisputeListView.as_view(), name="list"),
    path("disputes/open/<str:number>/", views.DisputeOpenView.as_view(), name="open"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="detail"),
    path("disputes/<int:pk>/evidence/<int:evidence_id>/", views.DisputeEvidenceView.as_view(), name="evidence"),
    path("disputes/<int:pk>/<str:action>/", views.DisputeActionView.as_view(), name="action"),
]
