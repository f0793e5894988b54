from __future__ import annotations

import pytest

from tests.disputes.factories import member_of, shipped_po, staff_user


@pytest.fixture
def po(db):
    return shipped_po()


@pytest.fixture
def reseller_user(po):
    return member_of(po.reseller.organisation)


@pytest.fixture
def supplier_user(po):
    return member_of(po.supplier.organisation)


@pytest.fixture
def staff(db):
    return staff_user()
