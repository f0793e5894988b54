from decimal import Decimal

import pytest

from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.permissions import SYSTEM_ACTOR
from settlement import services
from settlement.models import Account, JournalEntry, Reward, TopUpRequest, WithdrawalRequest
from settlement.reconcile import reconcile
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import credit
from tests.suppliers.factories import PartnershipFactory, SupplierFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _top_up(reseller, amount="500.00", reference="TX-1"):
    return services.top_up_request(
        actor=None, organisation=reseller.organisation, amount=D(amount), payer_name="李四", bank_reference=reference
    )


def test_top_up_is_credited_only_when_staff_confirm_it(django_capture_on_commit_callbacks):
    reseller = ResellerFactory()
    member = MembershipFactory(organisation=reseller.organisation)
    staff = UserFactory(is_staff=True)
    top_up = _top_up(reseller)
    assert services.wallet_balance(reseller.organisation) == D("0")
    services.top_up_confirm(actor=staff, top_up=top_up)
    services.top_up_confirm(actor=staff, top_up=top_up)  # idempotent
    top_up = TopUpRequest.objects.get(pk=top_up.pk)  # status is a protected FSM field: re-read, don't refresh
    assert top_up.status == TopUpRequest.Status.CONFIRMED
    assert top_up.decided_by == staff
    assert services.wallet_balance(reseller.organisation) == D("500.00")
    assert member.user.notifications.filter(kind="settlement.top_up_confirmed").count() == 1
    clearing = JournalEntry.objects.get(account__kind=Account.Kind.CLEARING)
    assert clearing.amount == D("-500.00")


def test_rejected_top_up_moves_no_money_and_cannot_be_confirmed_later():
    reseller = ResellerFactory()
    top_up = _top_up(reseller)
    services.top_up_reject(actor=None, top_up=top_up, reason="No such transfer on our statement")
    with pytest.raises(InvalidState):
        services.top_up_confirm(actor=None, top_up=top_up)
    assert services.wallet_balance(reseller.organisation) == D("0")


def test_the_same_bank_reference_cannot_be_recorded_twice():
    reseller = ResellerFactory()
    _top_up(reseller, reference="TX-9")
    with pytest.raises(ValidationFailed) as excinfo:
        _top_up(reseller, reference="TX-9")
    assert excinfo.value.field == "bank_reference"


def test_suppliers_cannot_top_up():
    supplier = SupplierFactory()
    with pytest.raises(PermissionDenied):
        services.top_up_request(actor=None, organisation=supplier.organisation, amount=D("1.00"), payer_name="x", bank_reference="y")


def _withdraw(supplier, amount="300.00", actor=SYSTEM_ACTOR):
    return services.withdrawal_request(
        actor=actor,
        organisation=supplier.organisation,
        amount=D(amount),
        account_name="上海某某公司",
        bank_name="中國工商銀行",
        account_number="6222 0202 0011 2233",
    )


def test_withdrawal_holds_the_amount_at_once_and_paying_it_sends_it_out():
    supplier = SupplierFactory()
    credit(supplier.organisation, "1000.00")
    withdrawal = _withdraw(supplier)
    assert withdrawal.account_number == "6222020200112233"
    assert services.wallet_balance(supplier.organisation) == D("700.00")
    assert reconcile().ok
    services.withdrawal_mark_paid(actor=None, withdrawal=withdrawal, payout_reference="PAY-1")
    services.withdrawal_mark_paid(actor=None, withdrawal=withdrawal, payout_reference="PAY-1")
    withdrawal = WithdrawalRequest.objects.get(pk=withdrawal.pk)
    assert withdrawal.status == WithdrawalRequest.Status.PAID
    assert services.wallet_balance(supplier.organisation) == D("700.00")
    assert reconcile().ok


def test_rejected_withdrawal_returns_the_held_amount():
    supplier = SupplierFactory()
    credit(supplier.organisation, "1000.00")
    withdrawal = _withdraw(supplier)
    services.withdrawal_reject(actor=None, withdrawal=withdrawal, reason="Account name does not match")
    with pytest.raises(InvalidState):
        services.withdrawal_mark_paid(actor=None, withdrawal=withdrawal)
    assert services.wallet_balance(supplier.organisation) == D("1000.00")
    assert reconcile().ok


@pytest.mark.parametrize("number", ["1234567", "1" * 31, "6222-0202-0011"])
def test_withdrawal_account_number_must_be_8_to_30_digits(number):
    supplier = SupplierFactory()
    credit(supplier.organisation, "100.00")
    with pytest.raises(ValidationFailed) as excinfo:
        services.withdrawal_request(
            actor=SYSTEM_ACTOR, organisation=supplier.organisation, amount=D("1.00"), account_name="a", bank_name="b", account_number=number
        )
    assert excinfo.value.field == "account_number"


def test_only_owners_and_managers_request_withdrawals():
    supplier = SupplierFactory()
    credit(supplier.organisation, "100.00")
    clerk = MembershipFactory(organisation=supplier.organisation, role="staff").user
    with pytest.raises(PermissionDenied):
        _withdraw(supplier, amount="10.00", actor=clerk)
    outsider = MembershipFactory(organisation=SupplierFactory().organisation, role="owner").user
    with pytest.raises(PermissionDenied):
        _withdraw(supplier, amount="10.00", actor=outsider)


def test_reward_moves_money_from_supplier_to_partnered_reseller_once_per_key():
    partnership = PartnershipFactory()
    supplier, reseller = partnership.supplier, partnership.reseller
    credit(supplier.organisation, "200.00")
    owner = MembershipFactory(organisation=supplier.organisation, role="owner").user
    first = services.reward_pay(
        supplier=supplier, reseller=reseller, amount=D("50.00"), note="Q3 rebate", actor=owner, idempotency_key="r1"
    )
    again = services.reward_pay(
        supplier=supplier, reseller=reseller, amount=D("50.00"), note="Q3 rebate", actor=owner, idempotency_key="r1"
    )
    assert first.pk == again.pk
    assert services.wallet_balance(supplier.organisation) == D("150.00")
    assert services.wallet_balance(reseller.organisation) == D("50.00")
    assert Reward.objects.get().note == "Q3 rebate"
