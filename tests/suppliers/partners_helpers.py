"""Small builders shared by the partnership and messaging tests."""

from __future__ import annotations

import pytest

from tests.accounts.factories import MembershipFactory
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import SupplierFactory


def supplier_with_member(role: str = "owner", **kwargs):
    supplier = SupplierFactory(**kwargs)
    membership = MembershipFactory(organisation=supplier.organisation, role=role)
    return membership.user, supplier


def reseller_with_member(role: str = "owner", **kwargs):
    reseller = ResellerFactory(**kwargs)
    membership = MembershipFactory(organisation=reseller.organisation, role=role)
    return membership.user, reseller


def member_of(organisation_holder, role: str = "staff"):
    return MembershipFactory(organisation=organisation_holder.organisation, role=role).user


@pytest.fixture
def celery_eager(outbox_kicks, monkeypatch):
    """Run the worker's part in-process: an outbox kick after commit dispatches its queue at once, so
    on-commit callbacks send their mail into ``mail.outbox``; ``.delay()`` runs inline too."""
    from distribution.celery import app
    from distribution.core import outbox

    monkeypatch.setattr(outbox, "kick", lambda queue, countdown=0: outbox.dispatch(queue) and True)
    # With the CELERY settings namespace, only the namespaced key takes effect.
    old = app.conf.task_always_eager
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.CELERY_TASK_ALWAYS_EAGER = old


@pytest.fixture
def fast_hasher(settings):
    """Factories hash a password per user; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
