"""Inspection findings turned into a penalty by staff with one action (R7, R17)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Penalty
from compliance.models import FindingPenalty
from compliance.services.inspection import penalty_from_findings
from distribution.core.errors import PermissionDenied
from distribution.core.models import AuditEvent
from resellers.models import InspectionFinding, StoreListing
from resellers.shop_services import shop_default
from tests.disputes.factories import member_of, staff_user
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import SKUFactory

pytestmark = pytest.mark.django_db


def finding(reseller, kind="price_out_of_range", resolved=False):
    sku = SKUFactory()
    listing = StoreListing.objects.create(
        reseller=reseller, shop=shop_default(reseller=reseller), supplier=sku.supplier, sku=sku, retail_price_amount=Decimal("1.00")
    )
    return InspectionFinding.objects.create(
        reseller=reseller,
        supplier=sku.supplier,
        listing=listing,
        kind=kind,
        found_at=timezone.now(),
        resolved_at=timezone.now() if resolved else None,
    )


def test_one_penalty_per_reseller_for_its_open_findings_once():
    staff = staff_user()
    first, second = ResellerFactory(), ResellerFactory()
    f1, f2 = finding(first), finding(first, kind="location_mismatch")
    f3, closed = finding(second), finding(second, resolved=True)
    made = penalty_from_findings(actor=staff, finding_ids=[f1.pk, f2.pk, f3.pk, closed.pk])
    assert sorted(p.organisation_id for p in made) == sorted([first.pk, second.pk])
    first_penalty = Penalty.objects.get(organisation=first.organisation)
    assert first_penalty.rule == "R7" and first_penalty.sanction == "warning"
    assert "Goods location differs" in first_penalty.description
    assert not FindingPenalty.objects.filter(finding=closed).exists()
    assert penalty_from_findings(actor=staff, finding_ids=[f1.pk, f2.pk, f3.pk]) == []
    assert Penalty.objects.count() == 2
    assert AuditEvent.objects.filter(action="inspection.penalised").count() == 2


def test_only_staff_turn_findings_into_penalties():
    reseller = ResellerFactory()
    f = finding(reseller)
    with pytest.raises(PermissionDenied):
        penalty_from_findings(actor=member_of(f.supplier.organisation), finding_ids=[f.pk])


def test_admin_action_suspends_ordering_for_seven_days(client):
    staff, reseller = staff_user(), ResellerFactory()
    f = finding(reseller)
    client.force_login(staff)
    url = reverse("admin:compliance_findingreview_changelist")
    assert client.get(url, {"penalised": "no"}).status_code == 200
    client.post(url, {"action": "penalise_suspend_ordering", "_selected_action": [f.pk]})
    penalty = Penalty.objects.get()
    assert penalty.sanction == "suspend_ordering"
    assert (penalty.ends_at - penalty.starts_at).days == 7
    assert Penalty.objects.suspending_ordering().filter(organisation_id=reseller.pk).exists()
    assert list(client.get(url, {"penalised": "yes"}).context["cl"].result_list) == [f]
