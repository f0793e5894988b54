"""Staff's workplace: dispute queue and decision form, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Penalty
from disputes import services
from disputes.models import Dispute
from distribution.core.models import AuditEvent
from procurement.models import PurchaseOrder
from settlement.reconcile import reconcile
from tests.disputes.factories import member_of, shipped_po

pytestmark = pytest.mark.django_db
D = Decimal


def open_dispute(po, amount="100.00"):
    user = member_of(po.reseller.organisation)
    return services.dispute_open(actor=user, purchase_order=po, reason="wrong_item", requested_amount=amount, description="發錯貨")


def test_queue_lists_filters_and_searches(client, staff, django_assert_max_num_queries):
    first, second = shipped_po(), shipped_po()
    d1, d2 = open_dispute(first), open_dispute(second, amount="250.00")
    services.dispute_escalate(actor=member_of(second.supplier.organisation), dispute=d2)
    client.force_login(staff)
    url = reverse("admin:disputes_dispute_changelist")
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [d1, d2]  # oldest first
    escalated = client.get(url, {"escalation": "escalated"})
    assert list(escalated.context["cl"].result_list) == [d2]
    by_po = client.get(url, {"q": first.number})
    assert list(by_po.context["cl"].result_list) == [d1]
    by_ref = client.get(url, {"q": second.consumer_order_ref})
    assert list(by_ref.context["cl"].result_list) == [d2]
    by_amount = client.get(url, {"o": "-6"})
    assert by_amount.status_code == 200


def test_change_page_is_read_only_and_shows_the_audit_trail(client, staff, po):
    dispute = open_dispute(po)
    client.force_login(staff)
    response = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "dispute.opened" in body
    assert reverse("admin:disputes_dispute_decide", args=[dispute.pk]) in body
    post = client.post(reverse("admin:disputes_dispute_change", args=[dispute.pk]), {"reason": "other"})
    assert post.status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).reason == "wrong_item"


def test_decision_form_refuses_a_split_that_does_not_add_up(client, staff, po):
    dispute = open_dispute(po)
    client.force_login(staff)
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    response = client.post(url, {"refund_amount": "100.00", "release_amount": "100.00", "decision": "x", "penalty_rule": "R15"})
    assert response.status_code == 400
    assert "must add up to the amount held in escrow, 300.00" in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN


def test_decision_form_settles_penalises_and_audits(client, staff, po):
    dispute = open_dispute(po)
    client.force_login(staff)
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "refund_amount": "300.00",
            "release_amount": "0.00",
            "decision": "供應商發錯貨,全額退款。",
            "at_fault": "supplier",
            "penalty_sanction": "suspend_listing",
            "penalty_rule": "R3",
            "penalty_days": "3",
        },
    )
    assert response.status_code == 302
    assert PurchaseOrder.objects.get(pk=po.pk).status == PurchaseOrder.Status.REFUNDED
    penalty = Penalty.objects.get()
    assert (penalty.organisation_id, penalty.sanction, penalty.rule) == (po.supplier_id, "suspend_listing", "R3")
    assert AuditEvent.objects.filter(action="dispute.decided", actor=staff).exists()
    assert reconcile().ok
    again = client.get(url)
    assert "nothing to decide" in again.content.decode()


def test_decide_action_needs_exactly_one_dispute(client, staff):
    d1, d2 = open_dispute(shipped_po()), open_dispute(shipped_po())
    client.force_login(staff)
    url = reverse("admin:disputes_dispute_changelist")
    one = client.post(url, {"action": "decide_selected", "_selected_action": [d1.pk]})
    assert one.status_code == 302 and one.url == reverse("admin:disputes_dispute_decide", args=[d1.pk])
    both = client.post(url, {"action": "decide_selected", "_selected_action": [d1.pk, d2.pk]}, follow=True)
    assert "Select exactly one dispute" in both.content.decode()


def test_non_staff_cannot_reach_the_decision_form(client, po):
    dispute = open_dispute(po)
    client.force_login(member_of(po.supplier.organisation))
    response = client.get(reverse("admin:disputes_dispute_decide", args=[dispute.pk]))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_dispute_inline_for_the_po_admin_lists_the_pos_disputes(rf, staff, po):
    from django.contrib import admin as django_admin

    from disputes.admin import DisputeInlineForPurchaseOrder

    dispute = open_dispute(po)
    inline = DisputeInlineForPurchaseOrder(PurchaseOrder, django_admin.site)
    request = rf.get("/")
    request.user = staff
    assert list(inline.get_queryset(request).filter(purchase_order=po)) == [dispute]
    assert not inline.has_add_permission(request, po)
