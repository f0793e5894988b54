"""Staff's workplace for violations: recorded and revoked through the services, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Penalty
from compliance.services.penalties import penalty_record
from distribution.core.models import AuditEvent
from tests.disputes.factories import png_upload, staff_user
from tests.resellers.factories import ResellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return staff_user()


def test_staff_record_a_violation_in_admin_through_the_service(client, staff):
    reseller = ResellerFactory()
    client.force_login(staff)
    url = reverse("admin:compliance_violation_add")
    assert "R7 · Truthful listings" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "organisation": reseller.organisation.pk,
            "rule": "R7",
            "description": "商品所在地不實",
            "sanction": "suspend_ordering",
            "starts_at_0": "2026-11-28",
            "starts_at_1": "10:00:00",
            "days": "5",
            "evidence_files": [png_upload()],
            "evidence_note": "巡查截圖",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    penalty = Penalty.objects.get()
    assert (penalty.ends_at - penalty.starts_at).days == 5
    assert penalty.evidence.count() == 1
    assert AuditEvent.objects.filter(action="penalty.recorded", actor=staff).count() == 1
    missing_days = client.post(
        url,
        {
            "organisation": reseller.organisation.pk,
            "rule": "R7",
            "description": "x",
            "sanction": "suspend_listing",
            "starts_at_0": "2026-11-28",
            "starts_at_1": "10:00:00",
        },
    )
    assert missing_days.status_code == 200
    assert "needs a period in days" in missing_days.content.decode()
    assert Penalty.objects.count() == 1


def test_revoke_action_is_audited(client, staff):
    penalty = penalty_record(actor=staff, organisation=ResellerFactory().organisation, rule="R9", description="x")
    client.force_login(staff)
    client.post(reverse("admin:compliance_violation_changelist"), {"action": "revoke_selected", "_selected_action": [penalty.pk]})
    assert Penalty.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="penalty.revoked", actor=staff).exists()


def test_old_admin_addresses_of_the_moved_models_lead_to_their_new_place(client, staff):
    client.force_login(staff)
    response = client.get("/admin/disputes/violation/?sanction=warning")
    assert response.status_code == 301 and response.url == "/admin/compliance/violation/?sanction=warning"
    assert client.get(response.url).status_code == 200
    assert client.get("/admin/disputes/dispute/").status_code == 200
