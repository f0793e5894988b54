"""Root URLconf. Each app mounts its own ``urls.py`` (with ``app_name``)."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from distribution.ops import health, metrics

urlpatterns = [
    path("", account_views.LandingView.as_view(), name="landing"),
    path("home/", account_views.HomeView.as_view(), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/operations/", include("distribution.ops.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("distribution.api.urls")),
    path("settings/api/", include("distribution.api.web_urls")),
    path("", include("distribution.disputes.urls")),
    path("wallet/", include("settlement.urls")),
    path("supplier/", include("suppliers.urls")),
    path("supplier/", include("suppliers.urls_partners")),
    path("", include("suppliers.urls_public")),
    path("", include("procurement.urls")),
    path("", include("resellers.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
