"""Races on PostgreSQL with real threads and connections."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Notification
from resellers.models import InspectionFinding, StoreListing
from resellers.services import PublishItem, inspection_check_listings, store_listing_publish
from suppliers.models import SKU
from tests.concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def run_together(*targets):
    """``race`` the targets; the exceptions any of them raised (none expected)."""
    return [o.error for o in race(targets) if not o.ok]


def test_two_simultaneous_publishes_of_one_sku_leave_one_entry(world):
    def publish(price):
        return lambda: store_listing_publish(
            actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=world["sku_a"].pk, price=price)]
        )

    for _ in range(3):
        StoreListing.objects.all().delete()
        errors = run_together(publish("99.00"), publish("109.00"))
        assert errors == []
        [listing] = StoreListing.objects.all()
        assert listing.retail_price_amount in (Decimal("99.00"), Decimal("109.00"))


def test_two_simultaneous_inspections_record_one_finding_and_one_notification(world):
    [listing] = store_listing_publish(
        actor=world["user"], reseller=world["reseller"], items=[PublishItem(sku_id=world["sku_a"].pk, price="85.00")]
    )
    SKU.objects.filter(pk=world["sku_a"].pk).update(min_retail_amount=Decimal("89.00"))
    now = timezone.now()
    inspect = lambda: inspection_check_listings(listing_ids=[listing.pk], now=now)  # noqa: E731
    errors = run_together(inspect, inspect, inspect)
    assert errors == []
    assert InspectionFinding.objects.count() == 1
    assert Notification.objects.filter(kind="inspection.findings").count() == 1


def test_publishing_while_the_partnership_ends_leaves_nothing_published(world):
    from django.db import transaction

    from resellers.services import StoreListErrors, store_list_on_partnership_ended
    from suppliers.models import Partnership

    locked = threading.Event()
    outcome: dict[str, object] = {}

    def end_partnership():
        try:
            with transaction.atomic():
                p = Partnership.objects.select_for_update().get(pk=world["partnership"].pk)
                locked.set()
                threading.Event().wait(0.5)  # the reseller clicks "publish" meanwhile
                p.status = Partnership.Status.TERMINATED
                p.save()
                store_list_on_partnership_ended(partnership=p)
        finally:
            connection.close()

    def publish():
        locked.wait(5)
        try:
            items = [PublishItem(sku_id=world["sku_a"].pk, price="99")]
            store_listing_publish(actor=world["user"], reseller=world["reseller"], items=items)
            outcome["result"] = "published"
        except StoreListErrors as exc:
            outcome["result"] = exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=end_partnership), threading.Thread(target=publish)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert "only while partnered" in str(outcome["result"])
    assert not StoreListing.objects.filter(status=StoreListing.Status.PUBLISHED).exists()
