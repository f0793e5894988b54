"""A supplier hidden from the catalog (suspended, or under a suspend_listing penalty) is delisted in the API feed."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from accounts.models import Penalty
from compliance.services.penalties import penalty_record, penalty_revoke
from suppliers.services.lifecycle import supplier_approve, supplier_suspend
from tests.accounts.factories import UserFactory
from tests.api.conftest import error_code
from tests.api.test_endpoints_purchase_orders import place


def feed(world, since: str | None = None) -> list[dict]:
    params = {"updated_since": since} if since else {}
    return world["reseller_api"].get("products/", params).json()["results"]


def synced_after(world, item: dict) -> dict:
    """The item as an incremental sync just after ``item``'s ``updated_at`` sees it (it must be there)."""
    since = (datetime.fromisoformat(item["updated_at"]) + timedelta(milliseconds=1)).isoformat()
    [again] = [r for r in feed(world, since) if r["sku_id"] == item["sku_id"]]
    return again


def test_a_suspended_supplier_is_delisted_and_its_reactivation_listed_again_in_incremental_syncs(world):
    staff = UserFactory(is_staff=True)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False) as clock:
        [before] = feed(world)
        assert before["status"] == "listed"
        clock.shift(timedelta(hours=1))
        supplier_suspend(actor=staff, supplier=world["supplier"], reason="Fake invoices")
        suspended = synced_after(world, before)
        assert suspended["status"] == "delisted"
        clock.shift(timedelta(hours=1))
        supplier_approve(actor=staff, supplier=world["supplier"])
        reactivated = synced_after(world, suspended)
        assert reactivated["status"] == "listed"


def test_a_suspend_listing_penalty_delists_until_it_is_revoked(world):
    staff = UserFactory(is_staff=True)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False) as clock:
        [before] = feed(world)
        clock.shift(timedelta(hours=1))
        penalty = penalty_record(
            actor=staff, organisation=world["supplier"].organisation, rule="R9", description="Counterfeit goods",
            sanction=Penalty.Sanction.SUSPEND_LISTING, days=7,
        )
        penalised = synced_after(world, before)
        assert penalised["status"] == "delisted"
        clock.shift(timedelta(hours=1))
        penalty_revoke(actor=staff, penalty=penalty, reason="Appeal upheld")
        revoked = synced_after(world, penalised)
        assert revoked["status"] == "listed"


def test_an_expired_suspend_listing_penalty_lists_again_as_of_its_end(world):
    staff = UserFactory(is_staff=True)
    penalty = penalty_record(
        actor=staff, organisation=world["supplier"].organisation, rule="R9", description="Counterfeit goods",
        sanction=Penalty.Sanction.SUSPEND_LISTING, days=1,
    )
    [penalised] = feed(world)
    assert penalised["status"] == "delisted"
    with time_machine.travel(penalty.ends_at + timedelta(minutes=5), tick=False):
        expired = synced_after(world, penalised)
        assert expired["status"] == "listed"
        assert datetime.fromisoformat(expired["updated_at"]) == penalty.ends_at


def test_a_penalty_starting_later_changes_nothing_until_it_starts(world):
    staff = UserFactory(is_staff=True)
    starts_at = timezone.now() + timedelta(days=2)
    penalty_record(
        actor=staff, organisation=world["supplier"].organisation, rule="R9", description="Counterfeit goods",
        sanction=Penalty.Sanction.SUSPEND_LISTING, days=3, starts_at=starts_at,
    )
    [waiting] = feed(world)
    assert waiting["status"] == "listed"
    with time_machine.travel(starts_at + timedelta(minutes=1), tick=False):
        started = synced_after(world, waiting)
        assert started["status"] == "delisted"
        assert datetime.fromisoformat(started["updated_at"]) == starts_at


def test_a_warning_does_not_delist(world):
    penalty_record(actor=UserFactory(is_staff=True), organisation=world["supplier"].organisation, rule="R9", description="Late")
    [item] = feed(world)
    assert item["status"] == "listed"


def test_a_po_for_a_hidden_suppliers_sku_is_refused_as_supplier_inactive(world):
    penalty_record(
        actor=UserFactory(is_staff=True), organisation=world["supplier"].organisation, rule="R9", description="Counterfeit goods",
        sanction=Penalty.Sanction.SUSPEND_LISTING, days=7,
    )
    response = place(world)
    assert response.status_code == 422, response.content
    assert error_code(response) == "supplier_inactive"
