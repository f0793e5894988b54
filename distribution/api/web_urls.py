"""``/settings/api/``: the organisation's API keys, webhook endpoints and delivery log."""

from django.urls import path

from . import views

app_name = "api_settings"

urlpatterns = [
    path("", views.ApiSettingsView.as_view(), name="index"),
    path("keys/new/", views.ApiKeyCreateView.as_view(), name="key_create"),
    path("keys/<int:pk>/revoke/", views.ApiKeyRevokeView.as_view(), name="key_revoke"),
    path("webhooks/new/", views.WebhookEndpointCreateView.as_view(), name="endpoint_create"),
    path("webhooks/<int:pk>/delete/", views.WebhookEndpointDeleteView.as_view(), name="endpoint_delete"),
    path("webhooks/<int:pk>/test/", views.WebhookEndpointTestView.as_view(), name="endpoint_test"),
    path("webhooks/<int:pk>/rotate/", views.WebhookSecretRotateView.as_view(), name="endpoint_rotate"),
    path("deliveries/<int:pk>/resend/", views.WebhookDeliveryResendView.as_view(), name="delivery_resend"),
]
