"""Staff work in Django admin: supplier review actions (audited, owner notified), agreement publish."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import AgreementAcceptance, AgreementVersion, Notification
from distribution.core.models import AuditEvent
from suppliers.models import Supplier
from tests.accounts.factories import AgreementVersionFactory, MembershipFactory, UserFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import SupplierFactory


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True, email="ops@platform.test")
    client.force_login(staff)
    client.staff = staff
    return client


@pytest.fixture
def pending_supplier():
    supplier = SupplierFactory(pending=True)
    owner = MembershipFactory(organisation=supplier.organisation, role="owner", user__email="owner@supplier.test").user
    return supplier, owner


@pytest.mark.django_db
def test_approve_action_activates_audits_and_notifies_the_owner(staff_client, pending_supplier, django_capture_on_commit_callbacks):
    supplier, owner = pending_supplier

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/suppliers/supplier/", {"action": "approve", "_selected_action": [supplier.pk]}
        )

    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.ACTIVE
    assert supplier.reviewed_at is not None
    event = AuditEvent.objects.get(action="supplier.approved")
    assert event.actor == staff_client.staff
    assert event.data == {"from": "pending_review", "to": "active", "reason": ""}
    assert Notification.objects.filter(user=owner, kind="supplier.approved").exists()
    assert mail.outbox and mail.outbox[0].to == ["owner@supplier.test"]


@pytest.mark.django_db
def test_suspend_action_suspends_an_active_supplier_with_a_reason(staff_client):
    supplier = SupplierFactory()
    owner = MembershipFactory(organisation=supplier.organisation, role="owner").user

    staff_client.post("/admin/suppliers/supplier/", {"action": "suspend", "_selected_action": [supplier.pk]})

    supplier.refresh_from_db()
    assert supplier.status == Supplier.Status.SUSPENDED
    assert supplier.status_reason
    assert Notification.objects.filter(user=owner, kind="supplier.suspended").exists()


@pytest.mark.django_db
def test_approving_an_active_supplier_changes_nothing_and_says_why(staff_client):
    supplier = SupplierFactory()

    response = staff_client.post(
        "/admin/suppliers/supplier/", {"action": "approve", "_selected_action": [supplier.pk]}, follow=True
    )

    assert "this action is not possible" in response.content.decode()
    assert not AuditEvent.objects.filter(action="supplier.approved").exists()


@pytest.mark.django_db
def test_publish_action_publishes_a_draft_agreement(staff_client):
    draft = AgreementVersionFactory(version="2.0", published_at=None)

    staff_client.post("/admin/accounts/agreementversion/", {"action": "publish", "_selected_action": [draft.pk]})

    draft.refresh_from_db()
    assert draft.published_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/organisation/",
        "/admin/suppliers/supplier/",
        "/admin/resellers/reseller/",
        "/admin/accounts/agreementversion/",
        "/admin/accounts/agreementacceptance/",
        "/admin/accounts/invitation/",
        "/admin/accounts/penalty/",
        "/admin/accounts/notification/",
    ],
)
def test_admin_lists_open_for_staff(staff_client, url):
    SupplierFactory()
    ResellerFactory()
    assert staff_client.get(url).status_code == 200


@pytest.mark.django_db
def test_organisation_change_page_shows_members_inline(staff_client, supplier_member):
    user, supplier = supplier_member

    body = staff_client.get(f"/admin/accounts/organisation/{supplier.organisation.pk}/change/").content.decode()

    assert user.email in body


@pytest.mark.django_db
def test_acceptances_are_read_only_in_admin(staff_client, agreement):
    acceptance = AgreementAcceptance.objects.create(user=UserFactory(), version=agreement, ip_address="127.0.0.1")

    assert staff_client.get("/admin/accounts/agreementacceptance/add/").status_code == 403
    response = staff_client.post(f"/admin/accounts/agreementacceptance/{acceptance.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AgreementAcceptance.objects.filter(pk=acceptance.pk).exists()


@pytest.mark.django_db
def test_a_published_agreement_text_cannot_be_edited(staff_client, agreement):
    response = staff_client.post(
        f"/admin/accounts/agreementversion/{agreement.pk}/change/",
        {"version": "1.0", "title": "x", "supplier_text": "changed", "reseller_text": "changed"},
    )

    assert response.status_code == 302  # saved nothing: every field of a published version is read-only
    agreement.refresh_from_db()
    assert agreement.supplier_text != "changed"
    assert AgreementVersion.objects.count() == 1


@pytest.mark.django_db
def test_members_cannot_open_admin(client, supplier_member):
    user, _ = supplier_member
    client.force_login(user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
