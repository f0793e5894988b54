"""Monthly rebates (R17): computed at month end, previewed, paid through the ledger or dismissed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compliance.models import ProposedRebate, RebateRule
from compliance.services import rebates
from compliance.tasks import compute_monthly_rebates
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from procurement.services import purchase_order_confirm_receipt
from settlement import services as settlement
from settlement.reconcile import reconcile
from tests.disputes.factories import member_of, partner, shipped_po
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db
D = Decimal


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=timezone.get_current_timezone())


def completed(supplier, reseller, total, when):
    po = shipped_po(supplier=supplier, reseller=reseller, total=total, shipped_at=when)
    return purchase_order_confirm_receipt(actor=None, purchase_order=po, now=when)


@pytest.fixture
def month():
    supplier = SupplierFactory(commission_rate=D("0"))
    big, small = ResellerFactory(), ResellerFactory()
    for r in (big, small):
        partner(r, supplier)
    completed(supplier, big, "6000.00", at(2026, 10, 3))
    completed(supplier, big, "1000.00", at(2026, 10, 31, 23))
    completed(supplier, big, "9999.00", at(2026, 11, 1, 1))  # next month
    completed(supplier, small, "500.00", at(2026, 10, 10))
    rule = RebateRule.objects.create(supplier=supplier.organisation, name="2% over 5000", percent=D("2"), threshold_amount=D("5000"))
    return supplier, big, small, rule


def test_month_end_proposes_percent_of_value_above_threshold_once(month):
    supplier, big, small, rule = month
    made = rebates.rebates_compute_month(month_on=date(2026, 10, 1))
    assert [(p.reseller_id, p.base_amount, p.amount) for p in made] == [(big.pk, D("7000.00"), D("40.00"))]
    assert rebates.rebates_compute_month(month_on=date(2026, 10, 1)) == []
    assert ProposedRebate.objects.count() == 1


def test_rule_for_one_reseller_only_counts_that_reseller(month):
    supplier, big, small, rule = month
    RebateRule.objects.create(
        supplier=supplier.organisation, reseller=small.organisation, name="small", percent=D("10"), threshold_amount=D("0")
    )
    made = rebates.rebates_compute_month(month_on=date(2026, 10, 1))
    assert sorted((p.reseller_id, p.amount) for p in made) == sorted([(big.pk, D("40.00")), (small.pk, D("50.00"))])


def test_the_beat_task_computes_the_previous_month(month):
    with time_machine.travel(at(2026, 11, 1, 2), tick=False):
        assert compute_monthly_rebates() == 1
    assert ProposedRebate.objects.get().month_on == date(2026, 10, 1)


def test_supplier_pays_a_proposed_rebate_through_the_ledger_once(month):
    supplier, big, small, rule = month
    [proposal] = rebates.rebates_compute_month(month_on=date(2026, 10, 1))
    owner = member_of(supplier.organisation)
    before = settlement.wallet_balance(big.organisation)
    rebates.rebate_pay(actor=owner, proposal=proposal)
    proposal = ProposedRebate.objects.get(pk=proposal.pk)
    assert proposal.status == ProposedRebate.Status.PAID
    assert proposal.reward.amount == D("40.00")
    assert settlement.wallet_balance(big.organisation) == before + D("40.00")
    with pytest.raises(InvalidState):
        rebates.rebate_pay(actor=owner, proposal=proposal)
    assert settlement.wallet_balance(big.organisation) == before + D("40.00")
    assert reconcile().ok


def test_dismiss_and_permissions(month):
    supplier, big, small, rule = month
    [proposal] = rebates.rebates_compute_month(month_on=date(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        rebates.rebate_pay(actor=member_of(supplier.organisation, role="staff"), proposal=proposal)
    with pytest.raises(PermissionDenied):
        rebates.rebate_dismiss(actor=member_of(SupplierFactory().organisation), proposal=proposal)
    rebates.rebate_dismiss(actor=member_of(supplier.organisation), proposal=proposal)
    assert ProposedRebate.objects.get().status == ProposedRebate.Status.DISMISSED


def test_rewards_page_previews_and_pays_and_reseller_sees_it(client, month, django_assert_max_num_queries):
    supplier, big, small, rule = month
    [proposal] = rebates.rebates_compute_month(month_on=date(2026, 10, 1))
    owner = member_of(supplier.organisation)
    client.force_login(owner)
    client.get(reverse("compliance:rewards_supplier"))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("compliance:rewards_supplier"))
    assert page.context["proposed_count"] == 1
    assert "7,000.00" in page.content.decode()
    client.post(reverse("compliance:rewards_supplier"), {"action": "pay", "proposal": proposal.pk})
    assert ProposedRebate.objects.get().status == ProposedRebate.Status.PAID
    client.force_login(member_of(big.organisation))
    assert "Rebate for 2026-10" in client.get(reverse("compliance:rewards_reseller")).content.decode()


def test_another_supplier_cannot_touch_a_proposal(client, month):
    supplier, big, small, rule = month
    [proposal] = rebates.rebates_compute_month(month_on=date(2026, 10, 1))
    client.force_login(member_of(SupplierFactory().organisation))
    assert client.post(reverse("compliance:rewards_supplier"), {"action": "pay", "proposal": proposal.pk}).status_code == 404
    assert ProposedRebate.objects.get().status == ProposedRebate.Status.PROPOSED


def test_supplier_adds_a_rule_from_the_page(client, month):
    supplier, big, small, rule = month
    client.force_login(member_of(supplier.organisation))
    response = client.post(
        reverse("compliance:rewards_supplier"), {"action": "rule", "name": "3%", "percent": "3", "threshold_amount": "100", "reseller": ""}
    )
    assert response.status_code == 302
    assert RebateRule.objects.filter(supplier=supplier.organisation, name="3%", reseller__isnull=True).exists()
    bad = client.post(reverse("compliance:rewards_supplier"), {"action": "rule", "name": "x", "percent": "80", "threshold_amount": "0"})
    assert bad.status_code == 400
    assert "percent" in bad.context["rule_form"].errors


# --- one-off rewards -----------------------------------------------------------------------


def test_a_reward_needs_a_live_partnership_and_moves_no_money_without_one():
    supplier, reseller = SupplierFactory(), ResellerFactory()
    owner = member_of(supplier.organisation)
    credit(supplier.organisation, "200.00")
    with pytest.raises(ValidationFailed) as excinfo:
        rebates.reward_give(
            actor=owner, supplier=supplier.organisation, reseller=reseller.organisation, amount="5.00", note="x", idempotency_key="r"
        )
    assert excinfo.value.field == "reseller"
    assert settlement.wallet_balance(supplier.organisation) == D("200.00")


def test_a_reward_is_refused_once_the_notice_period_has_run_out():
    supplier, reseller = SupplierFactory(), ResellerFactory()
    partnership = partner(reseller, supplier)
    partnership.status, partnership.ends_at = "termination_pending", timezone.now() - timedelta(minutes=1)
    partnership.save()
    owner = member_of(supplier.organisation)
    credit(supplier.organisation, "200.00")
    with pytest.raises(ValidationFailed):
        rebates.reward_give(
            actor=owner, supplier=supplier.organisation, reseller=reseller.organisation, amount="5.00", note="x", idempotency_key="r"
        )
    assert settlement.wallet_balance(reseller.organisation) == D("0.00")
