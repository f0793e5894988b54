"""Root URLconf. Each app mounts its own ``urls.py`` (with ``app_name``)."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts import views as account_views
from distribution.core.media import media_view
from distribution.ops import health, metrics

# The admin has no password form of its own: /admin/login/ sends to the site's login page, so one
# throttle (allauth's, accounts/adapter.py) guards both.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", account_views.LandingView.as_view(), name="landing"),
    path("home/", account_views.HomeView.as_view(), name="home"),
    # the switcher also remembers a signed-in user's language for their emails (accounts.User.language)
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # browsers and feed readers that ask before reading the page's <link rel="icon">
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "icons/favicon.ico", permanent=True), name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/operations/", include("distribution.ops.urls")),
    # staff's bookmarks from before compliance left the disputes app (README, "Layers")
    re_path(
        r"^admin/disputes/(?P<rest>(?:violation|penaltyevidence|findingreview|rebaterule|proposedrebate)/.*)$",
        RedirectView.as_view(url="/admin/compliance/%(rest)s", query_string=True, permanent=True),
    ),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("distribution.api.urls")),
    path("settings/api/", include("distribution.api.web_urls")),
    path("", include("compliance.urls")),
    path("", include("disputes.urls")),
    path("reports/", include("reports.urls")),
    path("", include("aftersales.urls")),
    path("wallet/", include("settlement.urls")),
    path("supplier/", include("suppliers.urls")),
    path("", include("suppliers.urls_public")),
    path("", include("procurement.urls")),
    path("", include("resellers.urls")),
]

# Every uploaded file goes through the owning app's access check (distribution/core/media.py);
# MEDIA_ROOT is never served as a directory.
urlpatterns += [path(settings.MEDIA_URL.lstrip("/") + "<path:name>", media_view, name="media")]
