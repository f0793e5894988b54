"""Re-acceptance of a newly published agreement (R1) and the data migration that seeds v1.0."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from accounts import services
from accounts.models import AgreementAcceptance, AgreementVersion
from distribution.core.errors import InvalidState
from distribution.core.models import AuditEvent
from tests.accounts.factories import AgreementVersionFactory, UserFactory


@pytest.fixture
def accepted_v1(agreement, supplier_member):
    user, supplier = supplier_member
    services.agreement_accept(user=user, version=agreement, ip_address="127.0.0.1")
    return user, supplier


@pytest.mark.django_db
def test_member_who_accepted_the_current_version_goes_about_their_business(client, accepted_v1):
    user, _ = accepted_v1
    client.force_login(user)

    assert client.get("/home/").status_code == 200


@pytest.mark.django_db
def test_a_newly_published_version_redirects_members_before_anything_else(client, accepted_v1):
    user, _ = accepted_v1
    AgreementVersionFactory(version="2.0", supplier_text="供應商新條款第二版", published_at=timezone.now())
    client.force_login(user)

    for path in ["/home/", "/organisation/", "/notifications/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/agreement/?next=")


@pytest.mark.django_db
def test_htmx_requests_are_sent_to_the_agreement_page_as_a_whole(client, accepted_v1):
    user, _ = accepted_v1
    AgreementVersionFactory(version="2.0")
    client.force_login(user)

    response = client.get("/notifications/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/agreement/?next=")


@pytest.mark.django_db
def test_agreement_page_shows_the_text_for_the_members_organisation_kind(client, accepted_v1):
    user, _ = accepted_v1
    AgreementVersionFactory(version="2.0", supplier_text="供應商新條款第二版", reseller_text="分銷商新條款第二版")
    client.force_login(user)

    body = client.get("/accounts/agreement/?next=/organisation/").content.decode()

    assert "供應商新條款第二版" in body
    assert "分銷商新條款第二版" not in body
    assert 'name="accept"' in body


@pytest.mark.django_db
def test_reseller_sees_the_reseller_text(client, agreement, reseller_member):
    user, _ = reseller_member
    client.force_login(user)

    body = client.get("/accounts/agreement/").content.decode()

    assert "七日內未付款" in body
    assert "提前十日通知" not in body


@pytest.mark.django_db
def test_accepting_records_version_time_ip_and_returns_to_where_they_were(client, accepted_v1):
    user, _ = accepted_v1
    v2 = AgreementVersionFactory(version="2.0")
    client.force_login(user)

    response = client.post("/accounts/agreement/?next=/organisation/", {"accept": "on"}, REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 302
    assert response["Location"] == "/organisation/"
    acceptance = AgreementAcceptance.objects.get(user=user, version=v2)
    assert acceptance.ip_address == "192.0.2.10"
    assert acceptance.accepted_at is not None
    assert client.get("/home/").status_code == 200
    assert AuditEvent.objects.filter(action="agreement.accepted", object_id=str(acceptance.pk)).exists()


@pytest.mark.django_db
def test_posting_without_the_box_ticked_records_nothing(client, accepted_v1):
    user, _ = accepted_v1
    v2 = AgreementVersionFactory(version="2.0")
    client.force_login(user)

    response = client.post("/accounts/agreement/", {})

    assert response.status_code == 400
    assert "You must accept the agreement" in response.content.decode()
    assert not AgreementAcceptance.objects.filter(user=user, version=v2).exists()


@pytest.mark.django_db
def test_next_pointing_off_site_is_ignored(client, accepted_v1):
    user, _ = accepted_v1
    AgreementVersionFactory(version="2.0")
    client.force_login(user)

    response = client.post("/accounts/agreement/?next=https://evil.example/", {"accept": "on"})

    assert response["Location"] == "/home/"


@pytest.mark.django_db
def test_an_unpublished_draft_does_not_ask_for_acceptance(client, accepted_v1):
    user, _ = accepted_v1
    AgreementVersionFactory(version="2.0", published_at=None)
    client.force_login(user)

    assert client.get("/home/").status_code == 200


@pytest.mark.django_db
def test_staff_publish_service_publishes_a_draft_once(agreement):
    staff = UserFactory(is_staff=True)
    draft = AgreementVersionFactory(version="3.0", published_at=None)

    services.agreement_publish(actor=staff, version=draft)

    draft.refresh_from_db()
    assert draft.published_at is not None
    with pytest.raises(InvalidState):
        services.agreement_publish(actor=staff, version=draft)


@pytest.mark.django_db
def test_the_data_migration_seeds_a_published_version_1_0_with_both_texts():
    migration = import_module("accounts.migrations.0002_agreement_v1")
    assert not AgreementVersion.objects.exists()  # tests start without it (tests/conftest.py)

    migration.seed_agreement_v1(apps, None)
    migration.seed_agreement_v1(apps, None)  # idempotent

    version = AgreementVersion.objects.get()
    assert version.version == "1.0"
    assert version.published_at is not None
    assert "提前十日" in version.supplier_text and "十五日內仍未發貨" in version.supplier_text
    assert "七日內未付款" in version.reseller_text and "三十日" in version.reseller_text
