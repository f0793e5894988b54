"""Public and reseller-facing pages: recruitment posts, supplier profiles, the reseller's
partnerships and applications, and messaging for both kinds of organisation (mounted at ``/``)."""

from django.urls import path

from .views import messaging, signup
from .views import partnerships as views

app_name = "partners"

urlpatterns = [
    path("accounts/signup/supplier/", signup.SupplierSignupView.as_view(), name="signup_supplier"),
    path("recruitment/", views.RecruitmentListView.as_view(), name="recruitment_list"),
    path("recruitment/<int:pk>/", views.RecruitmentDetailView.as_view(), name="recruitment_detail"),
    path("recruitment/<int:post_pk>/apply/", views.ApplyView.as_view(), name="apply_to_post"),
    path("suppliers/<int:pk>/", views.SupplierProfileView.as_view(), name="supplier_profile"),
    path("suppliers/<int:supplier_pk>/apply/", views.ApplyView.as_view(), name="apply_to_supplier"),
    path("partnerships/", views.ResellerPartnershipListView.as_view(), name="reseller_partnerships"),
    path("partnerships/<int:pk>/end/", views.ResellerEndPartnershipView.as_view(), name="reseller_end_partnership"),
    path("partnerships/applications/", views.ResellerApplicationListView.as_view(), name="reseller_applications"),
    path(
        "partnerships/applications/<int:pk>/withdraw/",
        views.ApplicationWithdrawView.as_view(),
        name="reseller_application_withdraw",
    ),
    path("messages/", messaging.ThreadListView.as_view(), name="thread_list"),
    path("messages/new/", messaging.ThreadStartView.as_view(), name="thread_start"),
    path("messages/unread/", messaging.UnreadBadgeView.as_view(), name="thread_unread"),
    path("messages/<int:pk>/", messaging.ThreadDetailView.as_view(), name="thread_detail"),
    path("messages/<int:pk>/updates/", messaging.ThreadUpdatesView.as_view(), name="thread_updates"),
    path("messages/attachments/<int:pk>/", messaging.AttachmentDownloadView.as_view(), name="attachment_download"),
]
