"""Two workers at once: the rollup writers serialise on their advisory lock, and a digest goes out once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from distribution.core.models import OutboxMessage
from procurement import services
from reports import digest, rollup
from reports.models import DailySales, DigestDelivery
from tests.concurrency import race
from tests.procurement.factories import make_trade, place

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_rollup_sweeps_at_once_write_each_row_once():
    trade = make_trade(funds="1000.00")
    rollup.rebuild()
    for n in range(3):
        services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, ref=f"TB-{n}"))
    outcomes = race([rollup.refresh_changed, rollup.refresh_changed])
    assert [o.kind for o in outcomes] == ["ok", "ok"]
    [row] = DailySales.objects.all()
    assert row.pos == 3


def test_two_workers_send_one_members_digest_once():
    trade = make_trade()
    owner = trade.supplier.organisation.memberships.get(role="owner")
    week = digest.last_full_week(timezone.localdate())

    def send():
        with transaction.atomic():
            return digest.deliver(membership_id=owner.pk, week_start=week, now=timezone.now())

    outcomes = race([send, send])
    assert [o.kind for o in outcomes] == ["ok", "ok"]
    assert sorted(o.value is None for o in outcomes) == [False, True]
    assert DigestDelivery.objects.filter(membership=owner, week_start=week).count() == 1
    assert OutboxMessage.objects.filter(topic="core.email", payload__subject__icontains=week.isoformat()).count() == 1
