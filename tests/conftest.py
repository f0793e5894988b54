"""Shared fixtures. Tests run against real PostgreSQL and Redis (see README)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrations seed agreement v1.0; tests start without one so the AgreementMiddleware stays out
    of the way. Tests of the agreement use the ``agreement`` fixture."""
    from accounts.models import AgreementVersion

    with django_db_blocker.unblock():
        AgreementVersion.objects.all().delete()


@pytest.fixture
def agreement(db):
    """The published agreement v1.0 with the real texts (as the data migration seeds it)."""
    from django.utils import timezone

    from accounts.agreement_texts import V1_RESELLER_TEXT, V1_SUPPLIER_TEXT, V1_TITLE, V1_VERSION
    from accounts.models import AgreementVersion

    version, _created = AgreementVersion.objects.get_or_create(
        version=V1_VERSION,
        defaults={
            "title": V1_TITLE,
            "supplier_text": V1_SUPPLIER_TEXT,
            "reseller_text": V1_RESELLER_TEXT,
            "published_at": timezone.now() - timedelta(minutes=1),
        },
    )
    return version


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (allauth rate limits live there)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def outbox_kicks(request, monkeypatch):
    """After-commit kicks of the outbox are recorded here instead of going to a broker (no worker
    runs in tests: a test runs the worker's part with ``run_outbox``). Mark a test ``real_broker``
    to keep the real kicks."""
    kicks: list[tuple[str, float]] = []
    if request.node.get_closest_marker("real_broker") is None:
        monkeypatch.setattr("distribution.core.outbox.kick", lambda queue, countdown=0: kicks.append((queue, countdown)) or True)
    return kicks


@pytest.fixture
def worker_eager(outbox_kicks, monkeypatch):
    """A worker that runs at once: an outbox kick after commit dispatches its queue in-process, so
    mail lands in ``mail.outbox`` and webhooks are recorded as soon as the change commits (with
    ``django_capture_on_commit_callbacks(execute=True)`` in non-transactional tests)."""
    from distribution.core import outbox

    monkeypatch.setattr(outbox, "kick", lambda queue, countdown=0: outbox.dispatch(queue) and True)


@pytest.fixture
def run_outbox(django_capture_on_commit_callbacks):
    """Run what a worker would: every due outbox row (by default also those in a coalescing window).

    Returns (done, failed). Callbacks the handlers register on commit run too."""
    from django.conf import settings
    from django.utils import timezone

    from distribution.core import outbox

    def run(queue: str | None = None, *, now=None) -> tuple[int, int]:
        moment = now or timezone.now() + settings.PRODUCT_UPDATED_WINDOW + timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=True):
            return outbox.dispatch(queue, now=moment)

    return run


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing with the production hasher costs ~0.3 s per password on this machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
