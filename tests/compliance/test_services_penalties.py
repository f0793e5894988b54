"""Violations (penalties) recorded by staff, the compliance page, suspensions (R6, R17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Penalty
from compliance.services.penalties import penalty_record, penalty_revoke
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from resellers.search import visible_suppliers
from tests.disputes.factories import member_of, png_upload, staff_user
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_staff_record_a_suspension_with_evidence_and_the_party_is_notified():
    staff, reseller = staff_user(), ResellerFactory()
    owner = member_of(reseller.organisation)
    now = timezone.now()
    penalty = penalty_record(
        actor=staff,
        organisation=reseller.organisation,
        rule="R7",
        description="零售價低於最低價",
        sanction="suspend_ordering",
        days=5,
        evidence_files=[png_upload("shot.png")],
        evidence_note="巡查截圖",
        now=now,
    )
    assert penalty.ends_at == now + timedelta(days=5)
    assert penalty.evidence.get().note == "巡查截圖"
    assert Notification.objects.filter(user=owner, kind="penalty.recorded", url="/compliance/").exists()
    assert AuditEvent.objects.filter(action="penalty.recorded", actor=staff, organisation=reseller.organisation).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rule": "R99"}, "rule"),
        ({"description": "  "}, "description"),
        ({"sanction": "suspend_listing", "days": None}, "days"),
        ({"days": 0}, "days"),
        ({"sanction": "ban_forever"}, "sanction"),
    ],
)
def test_record_refuses_bad_input_field_by_field(kwargs, field):
    args = {"rule": "R7", "description": "x", "sanction": "warning", "days": None} | kwargs
    with pytest.raises(ValidationFailed) as excinfo:
        penalty_record(actor=staff_user(), organisation=ResellerFactory().organisation, **args)
    assert excinfo.value.field == field
    assert not Penalty.objects.exists()


def test_only_staff_record_or_revoke():
    reseller = ResellerFactory()
    member = member_of(reseller.organisation)
    with pytest.raises(PermissionDenied):
        penalty_record(actor=member, organisation=reseller.organisation, rule="R7", description="x")
    penalty = penalty_record(actor=staff_user(), organisation=reseller.organisation, rule="R7", description="x")
    with pytest.raises(PermissionDenied):
        penalty_revoke(actor=member, penalty=penalty)


def test_revoked_penalty_stops_the_suspension_and_cannot_be_revoked_twice():
    staff, reseller = staff_user(), ResellerFactory()
    penalty = penalty_record(
        actor=staff, organisation=reseller.organisation, rule="R9", description="x", sanction="suspend_ordering", days=3
    )
    assert Penalty.objects.suspending_ordering().filter(organisation=reseller.organisation).exists()
    assert Penalty.objects.in_force().filter(organisation=reseller.organisation).exists()
    penalty_revoke(actor=staff, penalty=penalty)
    assert not Penalty.objects.suspending_ordering().filter(organisation=reseller.organisation).exists()
    assert not Penalty.objects.in_force().filter(organisation=reseller.organisation).exists()
    with pytest.raises(InvalidState):
        penalty_revoke(actor=staff, penalty=penalty)


def test_suspended_supplier_is_hidden_from_search_only_while_in_force():
    staff = staff_user()
    hidden, visible = SupplierFactory(), SupplierFactory()
    ProductFactory(supplier=hidden), ProductFactory(supplier=visible)
    now = timezone.now()
    penalty_record(
        actor=staff, organisation=hidden.organisation, rule="R3", description="虛假描述", sanction="suspend_listing", days=2, now=now
    )
    shown = visible_suppliers(now).filter(pk__in=[hidden.pk, visible.pk])
    assert set(shown.values_list("pk", flat=True)) == {visible.pk}
    later = visible_suppliers(now + timedelta(days=2)).filter(pk__in=[hidden.pk, visible.pk])
    assert set(later.values_list("pk", flat=True)) == {hidden.pk, visible.pk}


def test_a_warning_does_not_suspend():
    reseller = ResellerFactory()
    penalty_record(actor=staff_user(), organisation=reseller.organisation, rule="R12", description="x")
    assert not Penalty.objects.suspending_ordering().filter(organisation=reseller.organisation).exists()
    assert Penalty.objects.in_force().filter(organisation=reseller.organisation).exists()


def test_suspended_reseller_cannot_place_purchase_orders():
    from procurement.exceptions import OrderingSuspended
    from procurement.services import purchase_order_place
    from tests.suppliers.factories import PartnershipFactory, SKUFactory

    reseller = ResellerFactory()
    sku = SKUFactory()
    PartnershipFactory(reseller=reseller, supplier=sku.supplier)
    user = member_of(reseller.organisation)
    penalty_record(actor=staff_user(), organisation=reseller.organisation, rule="R9", description="x", sanction="suspend_ordering", days=7)
    with pytest.raises(OrderingSuspended):
        purchase_order_place(
            actor=user,
            reseller=reseller,
            supplier=sku.supplier,
            lines=[{"sku": sku.pk, "quantity": 1, "retail_price": sku.suggested_retail_amount}],
            consumer_order_ref="TB1",
            address={
                "recipient": "張三",
                "mobile": "13800138000",
                "province": "110000",
                "city": "110100",
                "district": "110101",
                "street": "某街1號",
                "postal_code": "100000",
            },
        )


# --- the compliance page ---------------------------------------------------------------


def test_compliance_page_shows_own_record_with_the_rule_text_only(client):
    staff = staff_user()
    mine, other = ResellerFactory(), ResellerFactory()
    penalty_record(actor=staff, organisation=mine.organisation, rule="R7", description="價格違規 A", sanction="warning")
    penalty_record(actor=staff, organisation=other.organisation, rule="R9", description="別人的違規 B", sanction="warning")
    client.force_login(member_of(mine.organisation, role="staff"))
    body = client.get(reverse("compliance:compliance")).content.decode()
    assert "價格違規 A" in body
    assert "別人的違規 B" not in body
    assert "states the goods&#x27; actual location truthfully" in body


def test_compliance_page_empty_state_and_suspension_banner(client):
    reseller = ResellerFactory()
    client.force_login(member_of(reseller.organisation))
    assert "No violations on record" in client.get(reverse("compliance:compliance")).content.decode()
    penalty_record(actor=staff_user(), organisation=reseller.organisation, rule="R9", description="x", sanction="suspend_ordering", days=1)
    assert "suspended from placing purchase orders" in client.get(reverse("compliance:compliance")).content.decode()


def test_compliance_page_queries_are_bounded(client, django_assert_max_num_queries):
    staff, supplier = staff_user(), SupplierFactory()
    for i in range(8):
        penalty_record(actor=staff, organisation=supplier.organisation, rule="R3", description=f"d{i}", evidence_note="note")
    client.force_login(member_of(supplier.organisation))
    client.get(reverse("compliance:compliance"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("compliance:compliance")).status_code == 200


def test_compliance_page_needs_an_organisation(client):
    client.force_login(staff_user())
    assert client.get(reverse("compliance:compliance")).status_code == 403


@pytest.mark.parametrize(
    ("language", "title", "rule"),
    [("zh-hant", "合規紀錄", "如實表述商品的實際所在地"), ("zh-hans", "合规记录", "如实表述商品的实际所在地")],
)
def test_compliance_page_speaks_chinese(client, settings, language, title, rule):
    settings.LANGUAGE_CODE = language
    reseller = ResellerFactory()
    client.force_login(member_of(reseller.organisation))
    body = client.get(reverse("compliance:compliance")).content.decode()
    assert title in body
    assert rule in body
