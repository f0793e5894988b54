"""Factories and helpers for settlement tests: funded wallets go through the real services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from settlement import services
from settlement.models import TopUpRequest

_counter = itertools.count(1)


def fund(organisation, amount: Decimal | str, *, staff=None) -> TopUpRequest:
    """Top a reseller's wallet up by ``amount`` through request + confirm."""
    top_up = services.top_up_request(
        actor=None,
        organisation=organisation,
        amount=Decimal(amount),
        payer_name="王小明",
        bank_reference=f"BANK-{next(_counter):08d}",
    )
    return services.top_up_confirm(actor=staff, top_up=top_up)


def credit(organisation, amount: Decimal | str, *, memo: str = "opening balance") -> None:
    """Give any organisation (e.g. a supplier) money: a staff adjustment from external clearing."""
    services.wallet_adjust(
        actor=None, organisation=organisation, amount=Decimal(amount), memo=memo, idempotency_key=f"test-{next(_counter)}"
    )
