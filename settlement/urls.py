from django.urls import path

from . import views

app_name = "settlement"

urlpatterns = [
    path("", views.WalletView.as_view(), name="wallet"),
    path("statement.csv", views.StatementCsvView.as_view(), name="statement_csv"),
    path("top-ups/", views.TopUpListView.as_view(), name="top_up_list"),
    path("withdrawals/", views.WithdrawalListView.as_view(), name="withdrawal_list"),
]
