"""One rule for every place: a supplier under a listing sanction (suspension from listing or
listing removal) is off the platform while it is in force (R3, R17)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LISTING_SANCTIONS, Penalty
from resellers.search import visible_suppliers
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sanction", [Penalty.Sanction.SUSPEND_LISTING, Penalty.Sanction.LISTING_REMOVAL])
def test_a_listing_sanction_hides_the_supplier_while_in_force(sanction):
    supplier = SupplierFactory()
    now = timezone.now()
    Penalty.objects.create(organisation=supplier.organisation, rule="R3", description="x", sanction=sanction,
                           starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6))
    assert not visible_suppliers(now).filter(pk=supplier.pk).exists()
    assert visible_suppliers(now + timedelta(days=7)).filter(pk=supplier.pk).exists()


@pytest.mark.parametrize("sanction", [Penalty.Sanction.WARNING, Penalty.Sanction.SUSPEND_ORDERING])
def test_other_sanctions_leave_the_supplier_visible(sanction):
    supplier = SupplierFactory()
    Penalty.objects.create(organisation=supplier.organisation, rule="R3", description="x", sanction=sanction)
    assert visible_suppliers().filter(pk=supplier.pk).exists()
    assert sanction not in LISTING_SANCTIONS
