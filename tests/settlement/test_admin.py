from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from distribution.core.permissions import SYSTEM_ACTOR
from settlement import services
from settlement.models import JournalEntry, JournalTransaction, TopUpRequest, WithdrawalRequest
from tests.accounts.factories import UserFactory
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit, fund
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client, staff


def _top_up(reseller, reference):
    return services.top_up_request(
        actor=None, organisation=reseller.organisation, amount=D("80.00"), payer_name="x", bank_reference=reference
    )


def test_pending_top_ups_list_opens_on_what_needs_action(staff_client):
    client, _staff = staff_client
    reseller = ResellerFactory()
    _top_up(reseller, "PENDING-1")
    services.top_up_reject(actor=None, top_up=_top_up(reseller, "DONE-1"), reason="no")
    body = client.get(reverse("admin:settlement_topuprequest_changelist")).content.decode()
    assert "PENDING-1" in body and "DONE-1" not in body
    assert "1 awaiting a decision" in body


def test_staff_confirm_top_ups_with_an_admin_action(staff_client):
    client, staff = staff_client
    reseller = ResellerFactory()
    top_up = _top_up(reseller, "T-1")
    response = client.post(
        reverse("admin:settlement_topuprequest_changelist"), {"action": "confirm_top_ups", ACTION_CHECKBOX_NAME: [top_up.pk]}
    )
    assert response.status_code == 302
    assert TopUpRequest.objects.get(pk=top_up.pk).status == "confirmed"
    assert TopUpRequest.objects.get(pk=top_up.pk).decided_by == staff
    assert services.wallet_balance(reseller.organisation) == D("80.00")


def test_staff_reject_a_top_up_giving_a_reason(staff_client):
    client, _staff = staff_client
    top_up = _top_up(ResellerFactory(), "T-2")
    url = reverse("admin:settlement_topuprequest_changelist")
    ask = client.post(url, {"action": "reject_top_ups", ACTION_CHECKBOX_NAME: [top_up.pk]})
    assert ask.status_code == 200 and "Reason" in ask.content.decode()
    assert TopUpRequest.objects.get(pk=top_up.pk).status == "pending"
    done = client.post(url, {"action": "reject_top_ups", ACTION_CHECKBOX_NAME: [top_up.pk], "apply": "1", "text": "Not on our statement"})
    assert done.status_code == 302
    rejected = TopUpRequest.objects.get(pk=top_up.pk)
    assert rejected.status == "rejected" and rejected.rejection_reason == "Not on our statement"


def test_staff_mark_a_withdrawal_paid_and_reject_another(staff_client):
    client, _staff = staff_client
    supplier = SupplierFactory()
    credit(supplier.organisation, "100.00")
    kwargs = {
        "actor": SYSTEM_ACTOR,
        "organisation": supplier.organisation,
        "account_name": "a",
        "bank_name": "b",
        "account_number": "12345678",
    }
    paid = services.withdrawal_request(amount=D("30.00"), **kwargs)
    rejected = services.withdrawal_request(amount=D("20.00"), **kwargs)
    url = reverse("admin:settlement_withdrawalrequest_changelist")
    client.post(url, {"action": "mark_withdrawals_paid", ACTION_CHECKBOX_NAME: [paid.pk], "apply": "1", "text": "PAYOUT-9"})
    client.post(url, {"action": "reject_withdrawals", ACTION_CHECKBOX_NAME: [rejected.pk], "apply": "1", "text": "wrong account"})
    assert WithdrawalRequest.objects.get(pk=paid.pk).status == "paid"
    assert WithdrawalRequest.objects.get(pk=paid.pk).payout_reference == "PAYOUT-9"
    assert WithdrawalRequest.objects.get(pk=rejected.pk).status == "rejected"
    assert services.wallet_balance(supplier.organisation) == D("70.00")


def test_ledger_admin_is_read_only(staff_client):
    client, _staff = staff_client
    fund(ResellerFactory().organisation, "10.00")
    txn = JournalTransaction.objects.get()
    entry = JournalEntry.objects.filter(transaction=txn).first()
    assert client.get(reverse("admin:settlement_journaltransaction_changelist")).status_code == 200
    change = client.get(reverse("admin:settlement_journaltransaction_change", args=[txn.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.post(reverse("admin:settlement_journaltransaction_delete", args=[txn.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:settlement_journalentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:settlement_journaltransaction_add")).status_code == 403
    assert client.get(reverse("admin:settlement_account_changelist")).status_code == 200
    assert client.get(reverse("admin:settlement_escrowhold_changelist")).status_code == 200
    assert JournalTransaction.objects.count() == 1
