"""The rule "a penalty is in force" (R6, R17), in its one home: ``Penalty.objects`` (``PenaltyQuerySet``).

Every check of the platform (ordering, listing, R6's immediate end, the compliance page and
admin, the home widget) asks these methods; their callers' tests prove the consequences.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import LISTING_SANCTIONS, Penalty
from tests.resellers.factories import ResellerFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def penalty(**kwargs) -> Penalty:
    fields = {"rule": "R7", "description": "x", "sanction": Penalty.Sanction.WARNING, "starts_at": NOW - timedelta(days=1)} | kwargs
    return Penalty.objects.create(organisation=ResellerFactory().organisation, **fields)


@pytest.mark.parametrize(
    ("fields", "in_force"),
    [
        ({}, True),  # started, no end: until revoked
        ({"ends_at": NOW + timedelta(seconds=1)}, True),
        ({"ends_at": NOW}, False),  # ends_at is the first moment it no longer applies
        ({"starts_at": NOW + timedelta(seconds=1)}, False),  # not started yet
        ({"starts_at": NOW}, True),
        ({"revoked_at": NOW - timedelta(hours=1)}, False),
    ],
)
def test_a_penalty_is_in_force_from_its_start_until_it_ends_or_is_revoked(fields, in_force):
    p = penalty(**fields)
    assert Penalty.objects.in_force(NOW).filter(pk=p.pk).exists() is in_force
    assert Penalty.objects.with_in_force(NOW).get(pk=p.pk).in_force is in_force


def test_a_warning_is_in_force_but_suspends_nothing():
    p = penalty()
    assert Penalty.objects.in_force(NOW).filter(pk=p.pk).exists()
    assert not Penalty.objects.suspending_ordering(NOW).filter(pk=p.pk).exists()
    assert not Penalty.objects.suspending_listing(NOW).filter(pk=p.pk).exists()


@pytest.mark.parametrize("sanction", LISTING_SANCTIONS)
def test_both_listing_sanctions_suspend_listing_while_in_force_and_not_ordering(sanction):
    p = penalty(sanction=sanction, ends_at=NOW + timedelta(days=2))
    assert Penalty.objects.suspending_listing(NOW).filter(pk=p.pk).exists()
    assert not Penalty.objects.suspending_listing(NOW + timedelta(days=2)).filter(pk=p.pk).exists()
    assert not Penalty.objects.suspending_ordering(NOW).filter(pk=p.pk).exists()


def test_an_ordering_suspension_suspends_ordering_while_in_force_and_not_listing():
    p = penalty(sanction=Penalty.Sanction.SUSPEND_ORDERING, ends_at=NOW + timedelta(days=7))
    assert Penalty.objects.suspending_ordering(NOW + timedelta(days=6)).filter(pk=p.pk).exists()
    assert not Penalty.objects.suspending_ordering(NOW + timedelta(days=7)).filter(pk=p.pk).exists()
    assert not Penalty.objects.suspending_listing(NOW).filter(pk=p.pk).exists()
