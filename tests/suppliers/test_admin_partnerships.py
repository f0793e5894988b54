import pytest
from django.urls import reverse

from distribution.core.models import AuditEvent
from suppliers.models import Partnership
from tests.accounts.factories import UserFactory
from tests.suppliers.factories import PartnershipFactory
from tests.suppliers.factories_partners import ApplicationFactory, MessageFactory, RecruitmentPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_render(admin_client):
    RecruitmentPostFactory()
    ApplicationFactory()
    PartnershipFactory()
    MessageFactory()
    for model in ("recruitmentpost", "partnershipapplication", "partnership", "messagethread"):
        assert admin_client.get(reverse(f"admin:suppliers_{model}_changelist")).status_code == 200


def test_staff_terminate_now_action_ends_the_partnership_and_is_audited(admin_client):
    partnership = PartnershipFactory()
    response = admin_client.post(
        reverse("admin:suppliers_partnership_changelist"),
        {"action": "terminate_now", "_selected_action": [partnership.pk]},
    )
    assert response.status_code == 302
    p = Partnership.objects.get(pk=partnership.pk)
    assert (p.status, p.terminated_by) == ("terminated", "staff")
    assert AuditEvent.objects.filter(action="partnership.ended_by_staff", object_id=str(p.pk)).exists()


def test_threads_are_read_only_in_admin(admin_client):
    thread = MessageFactory().thread
    response = admin_client.get(reverse("admin:suppliers_messagethread_change", args=[thread.pk]))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:suppliers_messagethread_add")).status_code == 403


def test_non_staff_cannot_open_the_admin(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:suppliers_partnership_changelist")).status_code == 302
