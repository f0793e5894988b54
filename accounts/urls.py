from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("agreement/", views.AgreementAcceptView.as_view(), name="agreement_accept"),
]
