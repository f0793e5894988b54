"""Shared fixtures. Tests run against real PostgreSQL and Redis (see README)."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (allauth rate limits live there)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def supplier_member(db):
    """(user, supplier) for a supplier organisation's owner."""
    from tests.accounts.factories import MembershipFactory
    from tests.suppliers.factories import SupplierFactory

    supplier = SupplierFactory()
    membership = MembershipFactory(organisation=supplier.organisation, role="owner")
    return membership.user, supplier


@pytest.fixture
def reseller_member(db):
    """(user, reseller) for a reseller organisation's owner."""
    from tests.accounts.factories import MembershipFactory
    from tests.resellers.factories import ResellerFactory

    reseller = ResellerFactory()
    membership = MembershipFactory(organisation=reseller.organisation, role="owner")
    return membership.user, reseller


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English; tests of the default language (繁體中文) override this."""
    settings.LANGUAGE_CODE = "en"
