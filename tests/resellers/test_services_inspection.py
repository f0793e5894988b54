from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Notification
from distribution.celery import app as celery_app
from distribution.core.errors import InvalidState
from distribution.core.sweeps import registered_sweeps, run_all
from resellers.models import InspectionFinding, StoreListing
from resellers.services import PublishItem, inspection_finding_fix, inspection_warning_send, store_listing_publish
from resellers.sweeps import inspect_listings
from suppliers.models import SKU, MessageThread, Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    listings = store_listing_publish(
        actor=world["user"],
        reseller=world["reseller"],
        items=[PublishItem(sku_id=world["sku_a"].pk, price="85.00"), PublishItem(sku_id=world["sku_b"].pk, price="120.00")],
    )
    return {sl.sku_id: sl for sl in listings}


def narrow_range(sku, low="89.00"):
    SKU.objects.filter(pk=sku.pk).update(min_retail_amount=Decimal(low))  # a change made without the hook


def test_a_compliant_store_list_has_no_findings(world, published):
    result = inspect_listings(now=timezone.now())
    assert result.count == 0
    assert not InspectionFinding.objects.exists()


def test_price_out_of_range_is_found_once_however_often_inspection_runs(world, published):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    inspect_listings(now=timezone.now() + timedelta(days=1))
    [finding] = InspectionFinding.objects.all()
    assert finding.kind == InspectionFinding.Kind.PRICE_OUT_OF_RANGE
    assert finding.details == {"sku": "TS-WHITE-M", "retail_price": "85.00", "min": "89.00", "max": "129.00"}
    assert (finding.reseller, finding.supplier) == (world["reseller"], world["supplier"])
    # the reseller heard about it once
    assert Notification.objects.filter(user=world["user"], kind="inspection.findings").count() == 1


def test_location_mismatch_and_selling_a_delisted_sku_are_found(world, published):
    Product.objects.filter(pk=world["product"].pk).update(province_code="440000", city_code="440100", status="delisted")
    inspect_listings(now=timezone.now())
    kinds = set(InspectionFinding.objects.values_list("kind", flat=True))
    assert kinds == {InspectionFinding.Kind.LOCATION_MISMATCH, InspectionFinding.Kind.DELISTED_SKU}
    assert InspectionFinding.objects.count() == 4


def test_a_fixed_entry_resolves_its_finding_on_the_next_run(world, published):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    StoreListing.objects.filter(pk=published[world["sku_a"].pk].pk).update(retail_price_amount=Decimal("95.00"))
    inspect_listings(now=timezone.now())
    finding = InspectionFinding.objects.get()
    assert finding.resolved_at is not None
    # a new violation later opens a new finding
    StoreListing.objects.filter(pk=published[world["sku_a"].pk].pk).update(retail_price_amount=Decimal("80.00"))
    inspect_listings(now=timezone.now())
    assert InspectionFinding.objects.filter(resolved_at__isnull=True).count() == 1
    assert InspectionFinding.objects.count() == 2


def test_an_unpublished_entry_resolves_its_findings(world, published):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    StoreListing.objects.filter(pk=published[world["sku_a"].pk].pk).update(status=StoreListing.Status.UNPUBLISHED)
    inspect_listings(now=timezone.now())
    assert InspectionFinding.objects.get().resolved_at is not None


def test_dry_run_records_nothing(world, published):
    narrow_range(world["sku_a"])
    result = inspect_listings(now=timezone.now(), dry_run=True)
    assert result.count == 2 and not InspectionFinding.objects.exists()


def test_the_sweep_is_registered_runs_with_all_sweeps_and_is_scheduled_daily(world, published):
    assert "inspect_listings" in registered_sweeps()
    narrow_range(world["sku_a"])
    run_all(now=timezone.now())
    assert InspectionFinding.objects.count() == 1
    entry = celery_app.conf.beat_schedule["inspect-listings"]
    assert entry["task"] == "distribution.core.tasks.run_sweep" and entry["args"] == ["inspect_listings"]
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {0}


def test_one_click_fix_clamps_the_price_into_range(world, published):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    finding = InspectionFinding.objects.get()
    inspection_finding_fix(actor=world["user"], reseller=world["reseller"], finding_id=finding.pk)
    listing = StoreListing.objects.get(pk=finding.listing_id)
    assert listing.retail_price_amount == Decimal("89.00")
    finding.refresh_from_db()
    assert finding.resolved_at is not None
    with pytest.raises(InvalidState):
        inspection_finding_fix(actor=world["user"], reseller=world["reseller"], finding_id=finding.pk)
    inspect_listings(now=timezone.now())
    assert not InspectionFinding.objects.filter(resolved_at__isnull=True).exists()


def test_one_click_fix_of_a_location_and_a_delisted_sku(world, published):
    Product.objects.filter(pk=world["product"].pk).update(province_code="440000", city_code="440100")
    SKU.objects.filter(pk=world["sku_b"].pk).update(is_active=False)
    inspect_listings(now=timezone.now())
    for finding in InspectionFinding.objects.order_by("pk"):
        finding.refresh_from_db()
        if finding.resolved_at is None:
            inspection_finding_fix(actor=world["user"], reseller=world["reseller"], finding_id=finding.pk)
    a = StoreListing.objects.get(sku=world["sku_a"])
    b = StoreListing.objects.get(sku=world["sku_b"])
    assert (a.location_province_code, a.status) == ("440000", StoreListing.Status.PUBLISHED)
    assert b.status == StoreListing.Status.UNPUBLISHED
    assert not InspectionFinding.objects.filter(resolved_at__isnull=True).exists()


def test_a_reseller_cannot_fix_another_resellers_finding(world, published, other_reseller):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    finding = InspectionFinding.objects.get()
    with pytest.raises(Exception, match="does not exist"):
        inspection_finding_fix(actor=other_reseller[0], reseller=other_reseller[1], finding_id=finding.pk)


def test_a_warning_notifies_the_reseller_and_stamps_the_findings(world, published):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    n = inspection_warning_send(actor=world["supplier_user"], supplier=world["supplier"], reseller=world["reseller"])
    assert n == 1
    note = Notification.objects.get(user=world["user"], kind="inspection.warning")
    assert "杭州優品服飾有限公司" in note.title and "TS-WHITE-M" in note.body
    assert InspectionFinding.objects.get().warned_at is not None


def test_a_warning_without_open_findings_is_refused(world, published):
    with pytest.raises(InvalidState):
        inspection_warning_send(actor=world["supplier_user"], supplier=world["supplier"], reseller=world["reseller"])


def test_a_warning_is_also_a_site_message(world, published):
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    inspection_warning_send(actor=world["supplier_user"], supplier=world["supplier"], reseller=world["reseller"])
    thread = MessageThread.objects.get(supplier=world["supplier"], reseller=world["reseller"])
    assert "杭州優品服飾有限公司" in thread.subject
    assert "TS-WHITE-M" in thread.messages.get().body


def test_a_warning_stands_when_messaging_refuses(world, published, monkeypatch):
    from distribution.core.errors import PermissionDenied
    from suppliers.services import messaging

    def refuse(**kw):
        raise PermissionDenied("no")

    monkeypatch.setattr(messaging, "thread_start", refuse)
    narrow_range(world["sku_a"])
    inspect_listings(now=timezone.now())
    assert inspection_warning_send(actor=world["supplier_user"], supplier=world["supplier"], reseller=world["reseller"]) == 1
    assert Notification.objects.filter(user=world["user"], kind="inspection.warning").count() == 1
    assert not MessageThread.objects.exists()
