"""Landing, home routing per organisation kind, notifications."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Notification
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.suppliers.factories import SupplierFactory


@pytest.mark.django_db
def test_landing_links_both_signups_and_login(client):
    body = client.get("/").content.decode()
    assert 'href="/accounts/signup/supplier/"' in body
    assert 'href="/accounts/signup/reseller/"' in body
    assert 'href="/accounts/login/"' in body


@pytest.mark.django_db
def test_home_needs_login(client):
    assert client.get("/home/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_supplier_home_shows_name_status_and_links(client, supplier_member):
    user, supplier = supplier_member
    client.force_login(user)

    body = client.get("/home/").content.decode()

    assert supplier.organisation.name in body
    assert 'id="supplier-status"' in body and "Active" in body
    assert "pending-review-banner" not in body
    assert 'href="/organisation/"' in body


@pytest.mark.django_db
def test_pending_supplier_sees_the_awaiting_review_banner(client):
    supplier = SupplierFactory(pending=True)
    user = MembershipFactory(organisation=supplier.organisation).user
    client.force_login(user)

    body = client.get("/home/").content.decode()

    assert 'id="pending-review-banner"' in body


@pytest.mark.django_db
def test_reseller_home_shows_store_and_channel(client, reseller_member):
    user, reseller = reseller_member
    client.force_login(user)

    body = client.get("/home/").content.decode()

    assert "Reseller dashboard" in body
    assert reseller.store_name in body
    assert "Taobao/Paipai C-store" in body


@pytest.mark.django_db
def test_staff_without_organisation_go_to_admin(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/home/")["Location"] == "/admin/"


@pytest.mark.django_db
def test_user_without_organisation_is_told_what_to_do(client):
    client.force_login(UserFactory())

    body = client.get("/home/").content.decode()

    assert "You do not belong to an organisation" in body


@pytest.mark.django_db
def test_organisation_pages_refuse_users_without_organisation(client):
    client.force_login(UserFactory())
    assert client.get("/organisation/").status_code == 403


@pytest.mark.django_db
def test_notifications_list_unread_count_and_mark_as_read(client, reseller_member):
    user, _ = reseller_member
    services.notify_users(users=[user], kind="test", title="第一條通知", url="/organisation/")
    services.notify_users(users=[user], kind="test", title="第二條通知")
    someone_else = MembershipFactory().user  # of another organisation (a notification belongs to the user's organisation)
    theirs = services.notify_users(users=[someone_else], kind="test", title="別人的通知")[0]
    client.force_login(user)

    body = client.get("/notifications/").content.decode()
    assert "第一條通知" in body and "第二條通知" in body
    assert "別人的通知" not in body
    assert '<span class="badge text-bg-danger" id="unread-count">2</span>' in body

    first = Notification.objects.get(title="第一條通知")
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response["Location"] == "/organisation/"
    first.refresh_from_db()
    assert first.read_at is not None

    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_notification_list_query_count_does_not_grow(client, reseller_member, django_assert_max_num_queries):
    user, _ = reseller_member
    client.force_login(user)
    services.notify_users(users=[user], kind="test", title="x")
    with django_assert_max_num_queries(12) as small:
        client.get("/notifications/")
    services.notify_users(users=[user] * 60, kind="test", title="y")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/notifications/")
