"""URLs of the accounts app, mounted at the site root (namespace ``accounts``).

``/accounts/...`` pages are reachable before the agreement is (re-)accepted
(see ``AgreementMiddleware``); ``/organisation/`` and ``/notifications/`` are not. The two
organisation signup pages are the suppliers' and the resellers' (``partners:signup_supplier``,
``resellers:signup``).
"""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", views.SignupChoiceView.as_view(), name="signup"),
    path("accounts/agreement/", views.AgreementAcceptView.as_view(), name="agreement_accept"),
    path("accounts/invitation/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("organisation/", views.OrganisationView.as_view(), name="organisation"),
    path("organisation/profile/", views.ProfileEditView.as_view(), name="profile"),
    path("organisation/profile/changes/<int:pk>/withdraw/", views.ProfileChangeWithdrawView.as_view(), name="profile_change_withdraw"),
    path("organisation/invite/", views.InvitationCreateView.as_view(), name="invitation_create"),
    path("organisation/invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("organisation/members/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("organisation/members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
]
