"""The two named meanings of "a live partnership" (R5, R6, R11), in their one home:
``Partnership.objects`` (``PartnershipQuerySet``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from suppliers.models import Partnership
from tests.suppliers.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.mark.parametrize(
    ("status", "ends_at", "live", "not_terminated"),
    [
        (Partnership.Status.ACTIVE, None, True, True),
        (Partnership.Status.TERMINATION_PENDING, NOW + timedelta(seconds=1), True, True),  # in its notice period
        (Partnership.Status.TERMINATION_PENDING, NOW, False, True),  # notice ran out; the sweep has not ended it yet
        (Partnership.Status.TERMINATED, NOW - timedelta(days=1), False, False),
    ],
)
def test_live_means_trading_now_and_not_terminated_means_the_row_still_blocks_a_new_one(status, ends_at, live, not_terminated):
    p = PartnershipFactory(status=status, ends_at=ends_at)
    assert Partnership.objects.live(NOW).filter(pk=p.pk).exists() is live
    assert Partnership.objects.not_terminated().filter(pk=p.pk).exists() is not_terminated
