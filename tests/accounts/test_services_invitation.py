"""Invitation services: a double submit joins once and answers the loser clearly (threads, PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts import services
from accounts.models import Invitation, Membership
from distribution.core.errors import DomainError, InvalidState, PermissionDenied
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.suppliers.factories import SupplierFactory


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_of_one_invitation_join_once():
    supplier = SupplierFactory()
    owner = MembershipFactory(organisation=supplier.organisation, role="owner").user
    invitation = services.invitation_create(actor=owner, organisation=supplier.organisation, email="twice@example.test", role="staff")
    user = UserFactory(email="twice@example.test")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def accept():
        try:
            barrier.wait()
            services.invitation_accept(user=user, invitation=invitation)
            outcomes.append("joined")
        except DomainError as exc:
            outcomes.append(exc)
        except Exception as exc:  # noqa: BLE001 - a crash is what this test guards against
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("joined") == 1
    loser = next(o for o in outcomes if o != "joined")
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
