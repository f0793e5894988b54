"""Members, roles and invitations; one organisation never sees another's pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.views import View

from accounts import services
from accounts.models import Invitation, Membership, User
from distribution.core.permissions import SupplierManagerMixin
from tests.accounts.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import SupplierFactory


@pytest.fixture
def owner(supplier_member):
    return supplier_member[0]


@pytest.fixture
def organisation(supplier_member):
    return supplier_member[1].organisation


def invite(owner, organisation, email="new@example.test", role="staff"):
    return services.invitation_create(actor=owner, organisation=organisation, email=email, role=role)


# --- the organisation page --------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_sees_members_and_the_invite_form(client, owner, organisation):
    MembershipFactory(organisation=organisation, role="staff", user__email="clerk@example.test")
    client.force_login(owner)

    body = client.get("/organisation/").content.decode()

    assert owner.email in body and "clerk@example.test" in body
    assert 'action="/organisation/invite/"' in body


@pytest.mark.django_db
def test_staff_member_sees_members_but_no_management_forms(client, organisation):
    clerk = MembershipFactory(organisation=organisation, role="staff").user
    client.force_login(clerk)

    body = client.get("/organisation/").content.decode()

    assert clerk.email in body
    assert "/organisation/invite/" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "staff"])
def test_only_the_owner_may_invite(client, organisation, role):
    member = MembershipFactory(organisation=organisation, role=role).user
    client.force_login(member)

    response = client.post("/organisation/invite/", {"email": "x@example.test", "role": "staff"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_organisation_page_needs_login(client):
    response = client.get("/organisation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- invitations --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("worker_eager")
def test_owner_invites_by_email_and_the_link_goes_out_after_commit(client, owner, organisation, django_capture_on_commit_callbacks):
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/organisation/invite/", {"email": "New@Example.test", "role": "manager"})

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.test"
    assert invitation.role == "manager"
    assert invitation.invited_by == owner
    assert abs((invitation.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.test"]
    assert f"/accounts/invitation/{invitation.token}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_inviting_someone_who_already_belongs_to_an_organisation_is_refused_on_the_email_field(client, owner, organisation):
    other = MembershipFactory(organisation=ResellerFactory().organisation).user
    client.force_login(owner)

    response = client.post("/organisation/invite/", {"email": other.email, "role": "staff"})

    assert response.status_code == 400
    assert "already belongs to an organisation" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_bad_invitation_input_is_answered_on_the_form(client, owner):
    client.force_login(owner)

    response = client.post("/organisation/invite/", {"email": "not-an-email", "role": "owner"})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-field-error="email"' in body and 'data-field-error="role"' in body


@pytest.mark.django_db
def test_invitee_without_account_signs_up_with_a_password_and_joins(client, owner, organisation, agreement):
    invitation = invite(owner, organisation, role="manager")

    response = client.post(
        f"/accounts/invitation/{invitation.token}/",
        {
            "full_name": "新同事",
            "password1": "Invitee-pass-2026",
            "password2": "Invitee-pass-2026",
            "agreement_version": agreement.pk,
            "accept_agreement": "on",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert user.membership.organisation == organisation
    assert user.membership.role == "manager"
    assert user.agreement_acceptances.filter(version=agreement).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.get("/home/").status_code == 200  # signed in, agreement accepted


@pytest.mark.django_db
def test_invitee_signup_without_ticking_the_agreement_creates_nothing(client, owner, organisation, agreement):
    invitation = invite(owner, organisation)

    response = client.post(
        f"/accounts/invitation/{invitation.token}/",
        {"full_name": "新同事", "password1": "Invitee-pass-2026", "password2": "Invitee-pass-2026", "agreement_version": agreement.pk},
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="new@example.test").exists()


@pytest.mark.django_db
def test_signed_in_user_with_the_invited_email_and_no_organisation_joins(client, owner, organisation):
    invitation = invite(owner, organisation)
    user = UserFactory(email="new@example.test")
    client.force_login(user)

    assert b'id="join"' in client.get(f"/accounts/invitation/{invitation.token}/").content
    response = client.post(f"/accounts/invitation/{invitation.token}/")

    assert response["Location"] == "/home/"
    assert Membership.objects.get(user=user).organisation == organisation


@pytest.mark.django_db
def test_a_user_of_another_organisation_cannot_join_a_second_one(owner, organisation):
    invitation = invite(owner, organisation, email="busy@example.test")
    busy = MembershipFactory(organisation=ResellerFactory().organisation, user__email="busy@example.test").user

    from distribution.core.errors import InvalidState

    with pytest.raises(InvalidState):
        services.invitation_accept(user=busy, invitation=invitation)
    assert busy.membership.organisation != organisation


@pytest.mark.django_db
def test_signed_in_with_another_email_cannot_use_the_link(client, owner, organisation):
    invitation = invite(owner, organisation)
    client.force_login(UserFactory(email="someone-else@example.test"))

    response = client.post(f"/accounts/invitation/{invitation.token}/")

    assert response.status_code == 302
    assert not Membership.objects.filter(user__email="someone-else@example.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_expired_invitation_cannot_be_accepted(client, owner, organisation, agreement):
    invitation = invite(owner, organisation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(f"/accounts/invitation/{invitation.token}/")
    client.post(
        f"/accounts/invitation/{invitation.token}/",
        {"full_name": "x", "password1": "Invitee-pass-2026", "password2": "Invitee-pass-2026",
         "agreement_version": agreement.pk, "accept_agreement": "on"},
    )

    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


@pytest.mark.django_db
def test_revoked_invitation_cannot_be_accepted(client, owner, organisation):
    invitation = invite(owner, organisation)
    client.force_login(owner)
    client.post(f"/organisation/invitations/{invitation.pk}/revoke/")
    client.logout()
    user = UserFactory(email="new@example.test")
    client.force_login(user)

    page = client.get(f"/accounts/invitation/{invitation.token}/")
    client.post(f"/accounts/invitation/{invitation.token}/")

    assert page.status_code == 410
    assert "revoked" in page.content.decode()
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_second_invitation_to_the_same_address_replaces_the_first(owner, organisation):
    first = invite(owner, organisation)
    second = invite(owner, organisation, role="manager")

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_open()


@pytest.mark.django_db
def test_unknown_invitation_token_is_404(client):
    assert client.get("/accounts/invitation/nope/").status_code == 404


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_owner_changes_a_role_and_removes_a_member(client, owner, organisation):
    clerk = MembershipFactory(organisation=organisation, role="staff")
    client.force_login(owner)

    client.post(f"/organisation/members/{clerk.pk}/role/", {"role": "manager"})
    clerk.refresh_from_db()
    assert clerk.role == "manager"

    client.post(f"/organisation/members/{clerk.pk}/remove/")
    assert not Membership.objects.filter(pk=clerk.pk).exists()
    assert User.objects.filter(pk=clerk.user_id).exists()


@pytest.mark.django_db
def test_the_owner_cannot_be_demoted_or_removed(client, owner, organisation):
    own = owner.membership
    client.force_login(owner)

    client.post(f"/organisation/members/{own.pk}/role/", {"role": "staff"})
    client.post(f"/organisation/members/{own.pk}/remove/")

    own.refresh_from_db()
    assert own.role == "owner"


@pytest.mark.django_db
def test_a_manager_cannot_change_roles(client, organisation):
    manager = MembershipFactory(organisation=organisation, role="manager")
    clerk = MembershipFactory(organisation=organisation, role="staff")
    client.force_login(manager.user)

    response = client.post(f"/organisation/members/{clerk.pk}/role/", {"role": "manager"})

    assert response.status_code == 403
    clerk.refresh_from_db()
    assert clerk.role == "staff"


class PriceChangeView(SupplierManagerMixin, View):
    def get(self, request):
        return HttpResponse(f"prices of {self.organisation.pk}")


def call_manager_only_page(user):
    request = RequestFactory().get("/prices/")
    request.user = user
    request.membership = Membership.objects.select_related("organisation").filter(user=user).first()
    return PriceChangeView.as_view()(request)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "allowed"), [("owner", True), ("manager", True), ("staff", False)])
def test_only_owners_and_managers_reach_manager_only_pages(role, allowed):
    from django.core.exceptions import PermissionDenied

    supplier = SupplierFactory()
    user = MembershipFactory(organisation=supplier.organisation, role=role).user

    if allowed:
        assert call_manager_only_page(user).status_code == 200
    else:
        with pytest.raises(PermissionDenied):
            call_manager_only_page(user)


@pytest.mark.django_db
def test_a_reseller_is_refused_on_a_supplier_manager_page(reseller_member):
    from django.core.exceptions import PermissionDenied

    user, _ = reseller_member
    with pytest.raises(PermissionDenied):
        call_manager_only_page(user)


# --- isolation between organisations ------------------------------------------------------------


@pytest.mark.django_db
def test_another_organisations_members_and_invitations_are_404(client, owner, organisation):
    other = SupplierFactory().organisation
    other_owner = MembershipFactory(organisation=other, role="owner").user
    other_clerk = MembershipFactory(organisation=other, role="staff")
    other_invitation = invite(other_owner, other, email="theirs@example.test")
    client.force_login(owner)

    assert client.post(f"/organisation/members/{other_clerk.pk}/role/", {"role": "manager"}).status_code == 404
    assert client.post(f"/organisation/members/{other_clerk.pk}/remove/").status_code == 404
    assert client.post(f"/organisation/invitations/{other_invitation.pk}/revoke/").status_code == 404
    body = client.get("/organisation/").content.decode()
    assert other_clerk.user.email not in body
    assert "theirs@example.test" not in body
    other_clerk.refresh_from_db()
    assert other_clerk.role == "staff"


@pytest.mark.django_db
def test_login_of_a_member_with_password_shows_only_their_organisation(client, owner, organisation):
    other = ResellerFactory()
    client.post("/accounts/login/", {"login": owner.email, "password": DEFAULT_PASSWORD})

    body = client.get("/home/").content.decode()

    assert organisation.name in body
    assert other.organisation.name not in body
