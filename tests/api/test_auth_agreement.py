"""R1 for API keys is checked inside the key lookup's one SQL statement; it must say what the rule says.

The rule's home is ``accounts.selectors.organisation_must_accept_agreement``; the API's key query
carries its SQL form so a request costs no extra statement. These tests walk the rule's cases and
require the two to agree on each.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AgreementAcceptance, AgreementVersion
from accounts.selectors import organisation_must_accept_agreement
from distribution.api.auth import find_key
from tests.accounts.factories import MembershipFactory
from tests.api.conftest import world  # noqa: F401

pytestmark = pytest.mark.django_db


def _both(world):  # noqa: F811
    key = find_key("reseller-key-1")
    return key.must_accept_agreement, organisation_must_accept_agreement(world["reseller"].organisation)


def test_the_key_query_and_the_rule_agree_on_every_case(world, agreement):  # noqa: F811
    # a published version nobody accepted
    assert _both(world) == (True, True)
    # a non-owner member accepting does not count
    manager = MembershipFactory(organisation=world["reseller"].organisation, role="manager").user
    AgreementAcceptance.objects.create(user=manager, version=agreement)
    assert _both(world) == (True, True)
    # an owner accepting does
    AgreementAcceptance.objects.create(user=world["reseller_user"], version=agreement)
    assert _both(world) == (False, False)
    # a version published in the future is not yet current
    later = AgreementVersion.objects.create(
        version="2.0", title="t", supplier_text="s", reseller_text="r", published_at=timezone.now() + timedelta(days=1)
    )
    assert _both(world) == (False, False)
    # once it is published, the owner must accept again
    # just after v1.0 and before this test's transaction began: the key query's now() is the transaction's start
    later.published_at = agreement.published_at + timedelta(milliseconds=1)
    later.save()
    assert _both(world) == (True, True)


def test_without_any_published_agreement_nobody_must_accept(world):  # noqa: F811
    AgreementVersion.objects.all().delete()
    assert _both(world) == (False, False)
