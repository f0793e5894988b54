"""Invitation services: a double submit joins once and answers the loser clearly (threads, PostgreSQL)."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Invitation, Membership
from distribution.core.errors import InvalidState, PermissionDenied
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.concurrency import race
from tests.suppliers.factories import SupplierFactory


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_of_one_invitation_join_once():
    supplier = SupplierFactory()
    owner = MembershipFactory(organisation=supplier.organisation, role="owner").user
    invitation = services.invitation_create(actor=owner, organisation=supplier.organisation, email="twice@example.test", role="staff")
    user = UserFactory(email="twice@example.test")

    outcomes = race([lambda: services.invitation_accept(user=user, invitation=invitation)] * 2)

    assert sum(o.ok for o in outcomes) == 1  # a crash (not a DomainError) is what this test guards against
    loser = next(o.error for o in outcomes if not o.ok)
    assert isinstance(loser, InvalidState), repr(loser)
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_only_the_owner_may_create_revoke_or_change_roles():
    supplier = SupplierFactory()
    owner = MembershipFactory(organisation=supplier.organisation, role="owner").user
    manager = MembershipFactory(organisation=supplier.organisation, role="manager")
    clerk = MembershipFactory(organisation=supplier.organisation, role="staff")
    invitation = services.invitation_create(actor=owner, organisation=supplier.organisation, email="a@example.test", role="staff")

    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=manager.user, organisation=supplier.organisation, email="b@example.test", role="staff")
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=manager.user, invitation=invitation)
    with pytest.raises(PermissionDenied):
        services.membership_change_role(actor=manager.user, membership=clerk, role="manager")
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=clerk.user, membership=manager)
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_an_invitation_for_another_address_cannot_be_accepted():
    supplier = SupplierFactory()
    owner = MembershipFactory(organisation=supplier.organisation, role="owner").user
    invitation = services.invitation_create(actor=owner, organisation=supplier.organisation, email="a@example.test", role="staff")

    with pytest.raises(PermissionDenied):
        services.invitation_accept(user=UserFactory(email="b@example.test"), invitation=invitation)
