"""Property-based: any sequence of money operations keeps every ledger invariant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distribution.core.money import money
from distribution.core.permissions import SYSTEM_ACTOR
from settlement import services
from settlement.exceptions import EscrowShort, InsufficientBalance
from settlement.models import Account, JournalEntry
from settlement.reconcile import reconcile
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import fund
from tests.suppliers.factories import PartnershipFactory, SupplierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

amounts = st.integers(min_value=1, max_value=60_000).map(lambda fen: Decimal(fen) / 100)
idx = st.integers(min_value=0, max_value=1)
pick = st.integers(min_value=0, max_value=1_000)

operations = st.one_of(
    st.tuples(st.just("top_up"), idx, amounts),
    st.tuples(st.just("hold"), idx, idx, amounts),
    st.tuples(st.just("hold_again"), pick),
    st.tuples(st.just("refund_all"), pick),
    st.tuples(st.just("refund_part"), pick, amounts),
    st.tuples(st.just("release"), pick),
    st.tuples(st.just("split"), pick, st.integers(min_value=0, max_value=100)),
    st.tuples(st.just("reward"), idx, idx, amounts),
    st.tuples(st.just("withdraw"), idx, amounts),
    st.tuples(st.just("withdraw_pay"), pick),
    st.tuples(st.just("withdraw_reject"), pick),
)

RATES = [Decimal("0"), Decimal("0.0375")]


def _platform_total(kind: str) -> Decimal:
    return sum(JournalEntry.objects.filter(account__kind=kind).values_list("amount", flat=True), Decimal("0"))


def _apply(op, world, expected):
    resellers, suppliers, holds, withdrawals = world["resellers"], world["suppliers"], world["holds"], world["withdrawals"]
    name = op[0]
    if name == "top_up":
        _, r, amount = op
        fund(resellers[r].organisation, amount)
        expected[resellers[r].pk] += amount
    elif name == "hold":
        _, r, s, amount = op
        reference = f"PO-{len(world['all_refs']) + 1}"
        world["all_refs"].append(reference)
        if expected[resellers[r].pk] >= amount:
            services.escrow_hold(reference=reference, reseller=resellers[r], supplier=suppliers[s], amount=amount, actor=None)
            expected[resellers[r].pk] -= amount
            holds.append({"ref": reference, "r": r, "s": s, "amount": amount, "out": amount})
        else:
            with pytest.raises(InsufficientBalance):
                services.escrow_hold(reference=reference, reseller=resellers[r], supplier=suppliers[s], amount=amount, actor=None)
    elif name == "hold_again" and holds:
        h = holds[op[1] % len(holds)]
        services.escrow_hold(reference=h["ref"], reseller=resellers[h["r"]], supplier=suppliers[h["s"]], amount=h["amount"], actor=None)
    elif name == "refund_all" and holds:
        h = holds[op[1] % len(holds)]
        services.escrow_refund(reference=h["ref"], actor=None)
        expected[resellers[h["r"]].pk] += h["out"]
        h["out"] = Decimal("0")
    elif name == "refund_part" and holds:
        h = holds[op[1] % len(holds)]
        amount = op[2]
        if amount > h["out"]:
            with pytest.raises(EscrowShort):
                services.escrow_refund(reference=h["ref"], actor=None, amount=amount)
        else:
            services.escrow_refund(reference=h["ref"], actor=None, amount=amount)
            expected[resellers[h["r"]].pk] += amount
            h["out"] -= amount
    elif name == "release" and holds:
        h = holds[op[1] % len(holds)]
        services.escrow_release(reference=h["ref"], commission_rate=RATES[h["s"]], actor=None)
        commission = money(h["out"] * RATES[h["s"]])
        expected[suppliers[h["s"]].pk] += h["out"] - commission
        h["out"] = Decimal("0")
    elif name == "split" and holds:
        h = holds[op[1] % len(holds)]
        refund = money(h["out"] * op[2] / 100)
        release = h["out"] - refund
        services.escrow_split(
            reference=h["ref"], refund_amount=refund, release_amount=release, commission_rate=RATES[h["s"]], actor=None
        )
        if h["out"]:
            expected[resellers[h["r"]].pk] += refund
            expected[suppliers[h["s"]].pk] += release - money(release * RATES[h["s"]])
        h["out"] = Decimal("0")
    elif name == "reward":
        _, s, r, amount = op
        key = f"rw-{len(world['all_refs'])}"
        world["all_refs"].append(key)
        if expected[suppliers[s].pk] >= amount:
            services.reward_pay(
                supplier=suppliers[s], reseller=resellers[r], amount=amount, note="n", actor=SYSTEM_ACTOR, idempotency_key=key
            )
            expected[suppliers[s].pk] -= amount
            expected[resellers[r].pk] += amount
        else:
            with pytest.raises(InsufficientBalance):
                services.reward_pay(
                    supplier=suppliers[s], reseller=resellers[r], amount=amount, note="n", actor=SYSTEM_ACTOR, idempotency_key=key
                )
    elif name == "withdraw":
        _, s, amount = op
        kwargs = {"actor": SYSTEM_ACTOR, "organisation": suppliers[s].organisation, "amount": amount, "account_name": "a", "bank_name": "b"}
        if expected[suppliers[s].pk] >= amount:
            withdrawals.append((services.withdrawal_request(account_number="12345678", **kwargs), s))
            expected[suppliers[s].pk] -= amount
        else:
            with pytest.raises(InsufficientBalance):
                services.withdrawal_request(account_number="12345678", **kwargs)
    elif name in ("withdraw_pay", "withdraw_reject") and withdrawals:
        position = op[1] % len(withdrawals)
        withdrawal, s = withdrawals.pop(position)
        if name == "withdraw_pay":
            services.withdrawal_mark_paid(actor=None, withdrawal=withdrawal)
        else:
            services.withdrawal_reject(actor=None, withdrawal=withdrawal, reason="wrong account")
            expected[suppliers[s].pk] += withdrawal.amount


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(operations, min_size=1, max_size=14))
def test_random_operation_sequences_keep_every_invariant(ops):
    with transaction.atomic():
        resellers = [ResellerFactory(), ResellerFactory()]
        suppliers = [SupplierFactory(commission_rate=rate) for rate in RATES]
        for s in suppliers:
            for r in resellers:
                PartnershipFactory(supplier=s, reseller=r)
        fund(resellers[0].organisation, Decimal("300.00"))
        world = {"resellers": resellers, "suppliers": suppliers, "holds": [], "withdrawals": [], "all_refs": []}
        expected = {p.pk: Decimal("0") for p in resellers + suppliers}
        expected[resellers[0].pk] = Decimal("300.00")

        for op in ops:
            _apply(op, world, expected)

            for party in resellers + suppliers:
                balance = services.wallet_balance(party.organisation)
                assert balance == expected[party.pk], (op, party)
                assert balance >= 0
            for h in world["holds"]:
                assert services.escrow_held(h["ref"]) == h["out"]
            report = reconcile()
            assert report.ok, report.render()

        # money is conserved: everything on the platform came in through clearing
        wallets = sum(Account.objects.filter(kind="wallet").values_list("balance_amount", flat=True), Decimal("0"))
        inside = wallets + _platform_total("escrow") + _platform_total("commission") + _platform_total("withdrawals")
        assert inside == -_platform_total("clearing")
        transaction.set_rollback(True)
