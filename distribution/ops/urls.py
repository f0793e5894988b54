from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("", views.operations_view, name="operations"),
    path("outbox/<int:pk>/retry/", views.retry_outbox_view, name="retry_outbox"),
    path("sweep-failures/<int:pk>/retry/", views.retry_sweep_failure_view, name="retry_sweep_failure"),
    path("reconcile/", views.run_reconcile_view, name="reconcile"),
]
