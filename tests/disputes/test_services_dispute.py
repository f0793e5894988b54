"""Disputes (R15, R16): opening at the boundary, negotiating, settling, withdrawing, escalating, deciding."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification, Penalty
from disputes import services
from disputes.models import Dispute, DisputeDecision, DisputeOffer
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from procurement.models import PurchaseOrder
from settlement import services as settlement
from settlement.reconcile import reconcile
from tests.disputes.factories import member_of, png_upload, shipped_po
from tests.resellers.factories import ResellerFactory

pytestmark = pytest.mark.django_db
D = Decimal


def open_dispute(po, user, *, amount="100.00", now=None, files=None):
    return services.dispute_open(
        actor=user, purchase_order=po, reason="damaged", requested_amount=amount, description="箱子破了", files=files, now=now
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def wallet(org) -> Decimal:
    return settlement.wallet_balance(org)


# --- opening ---------------------------------------------------------------------------


def test_open_one_second_before_dispute_until_is_allowed(po, reseller_user):
    dispute = open_dispute(po, reseller_user, now=po.dispute_until - timedelta(seconds=1))
    po = fresh(po)
    assert dispute.status == Dispute.Status.OPEN
    assert po.status == PurchaseOrder.Status.DISPUTED
    assert dispute.confirm_time_left == timedelta(seconds=1)
    assert dispute.waiting_on == "supplier"


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
def test_open_at_or_after_dispute_until_is_refused(po, reseller_user, offset):
    with pytest.raises(InvalidState):
        open_dispute(po, reseller_user, now=po.dispute_until + offset)
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.SHIPPED
    assert not Dispute.objects.exists()


def test_open_holds_auto_confirm_and_notifies_supplier(po, reseller_user, supplier_user):
    from procurement.services import purchase_order_auto_confirm

    open_dispute(po, reseller_user, now=po.shipped_at + timedelta(days=5))
    assert purchase_order_auto_confirm(purchase_order_id=po.pk, now=po.confirm_by + timedelta(days=1)) is None
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.DISPUTED
    assert Notification.objects.filter(user=supplier_user, kind="dispute.opened").exists()
    assert AuditEvent.objects.filter(action="dispute.opened").count() == 1


def test_each_side_gets_one_notification_when_a_dispute_opens_and_when_it_is_withdrawn(po, reseller_user, supplier_user):
    # given a shipped PO; when the reseller opens a dispute
    dispute = open_dispute(po, reseller_user, now=po.shipped_at + timedelta(days=5))
    # then the supplier is told once (by the disputes app, with a link), not twice
    assert Notification.objects.filter(user=supplier_user).count() == 1
    assert Notification.objects.get(user=supplier_user).url
    # when the reseller withdraws it, the supplier is told once more
    services.dispute_withdraw(actor=reseller_user, dispute=dispute, now=po.shipped_at + timedelta(days=6))
    assert Notification.objects.filter(user=supplier_user).count() == 2


@pytest.mark.parametrize(("amount", "message"), [("0", "more than 0.00"), ("-5", "more than 0.00"), ("300.01", "cannot exceed")])
def test_open_refuses_amounts_outside_zero_to_total(po, reseller_user, amount, message):
    with pytest.raises(ValidationFailed) as excinfo:
        open_dispute(po, reseller_user, amount=amount)
    assert excinfo.value.field == "requested_amount"
    assert message in excinfo.value.message


def test_open_for_the_whole_total_is_allowed(po, reseller_user):
    assert open_dispute(po, reseller_user, amount="300.00").requested_amount == D("300.00")


def test_open_by_a_staff_member_of_the_reseller_is_allowed(po):
    clerk = member_of(po.reseller.organisation, role="staff")
    assert open_dispute(po, clerk).opened_by == clerk


def test_open_by_another_reseller_or_the_supplier_is_refused(po, supplier_user):
    stranger = member_of(ResellerFactory().organisation)
    for user in (stranger, supplier_user):
        with pytest.raises(PermissionDenied):
            open_dispute(po, user)
    assert not Dispute.objects.exists()


def test_open_keeps_image_evidence(po, reseller_user):
    dispute = open_dispute(po, reseller_user, files=[png_upload()])
    [evidence] = dispute.evidence.all()
    assert evidence.content_type == "image/png"
    assert evidence.is_image


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream"), "only images"),
        (SimpleUploadedFile("fake.png", b"not a png at all", content_type="image/png"), "does not look like"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"), "larger than 10 MB"),
    ],
)
def test_open_refuses_bad_evidence_and_changes_nothing(po, reseller_user, upload, message):
    with pytest.raises(ValidationFailed) as excinfo:
        open_dispute(po, reseller_user, files=[upload])
    assert excinfo.value.field == "evidence"
    assert message in excinfo.value.message
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.SHIPPED


def test_pdf_of_exactly_10_mb_is_accepted(po, reseller_user):
    upload = SimpleUploadedFile("report.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5), content_type="application/pdf")
    assert open_dispute(po, reseller_user, files=[upload]).evidence.count() == 1


def test_a_second_open_dispute_on_the_same_po_is_refused(po, reseller_user):
    open_dispute(po, reseller_user)
    with pytest.raises(InvalidState):
        open_dispute(po, reseller_user)


# --- negotiating and settling by agreement ---------------------------------------------


def test_partial_refund_offer_accepted_splits_escrow_and_reconciles(po, reseller_user, supplier_user):
    # given
    reseller_before = wallet(po.reseller.organisation)
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="80.00", note="部分退款")
    assert (offer.refund_amount, offer.release_amount) == (D("80.00"), D("220.00"))
    # when
    services.dispute_accept_offer(actor=reseller_user, offer=offer)
    # then
    dispute = fresh(dispute)
    po = fresh(po)
    assert dispute.status == Dispute.Status.SETTLED
    assert dispute.outcome == Dispute.Outcome.AGREEMENT
    assert (dispute.refund_amount, dispute.release_amount) == (D("80.00"), D("220.00"))
    assert po.status == PurchaseOrder.Status.PARTIALLY_REFUNDED
    assert wallet(po.reseller.organisation) == reseller_before + D("80.00")
    assert wallet(po.supplier.organisation) == D("220.00") - D("11.00")  # 5 % commission on the released part only
    assert settlement.escrow_held(po.number) == D("0.00")
    assert reconcile().ok
    assert Notification.objects.filter(kind="dispute.settled", user__in=[reseller_user, supplier_user]).count() == 2


def test_offer_of_full_refund_accepted_ends_refunded(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="300.00")
    services.dispute_accept_offer(actor=reseller_user, offer=offer)
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.REFUNDED
    assert wallet(po.supplier.organisation) == D("0.00")
    assert reconcile().ok


def test_offer_of_no_refund_accepted_ends_completed(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=reseller_user, dispute=dispute, refund_amount="0.00")
    services.dispute_accept_offer(actor=supplier_user, offer=offer)
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.COMPLETED
    assert wallet(po.supplier.organisation) == D("285.00")
    assert reconcile().ok


def test_counter_offer_marks_the_earlier_offer_countered(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    first = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="50.00")
    services.dispute_make_offer(actor=reseller_user, dispute=dispute, refund_amount="120.00")
    first.refresh_from_db()
    dispute = fresh(dispute)
    assert first.status == DisputeOffer.Status.COUNTERED
    assert dispute.waiting_on == "supplier"
    with pytest.raises(InvalidState):
        services.dispute_accept_offer(actor=reseller_user, offer=first)


def test_a_side_cannot_accept_its_own_offer(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="50.00")
    with pytest.raises(PermissionDenied):
        services.dispute_accept_offer(actor=supplier_user, offer=offer)


def test_offer_above_the_held_amount_is_refused(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    with pytest.raises(ValidationFailed) as excinfo:
        services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="300.01")
    assert excinfo.value.field == "refund_amount"


def test_outsiders_cannot_post_offer_or_accept(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="50.00")
    stranger = member_of(ResellerFactory().organisation)
    with pytest.raises(PermissionDenied):
        services.dispute_post_message(actor=stranger, dispute=dispute, body="hi")
    with pytest.raises(PermissionDenied):
        services.dispute_make_offer(actor=stranger, dispute=dispute, refund_amount="1.00")
    with pytest.raises(PermissionDenied):
        services.dispute_accept_offer(actor=stranger, offer=offer)


def test_message_moves_the_turn_to_the_other_side(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    services.dispute_post_message(actor=supplier_user, dispute=dispute, body="請提供照片")
    dispute = fresh(dispute)
    assert dispute.waiting_on == "reseller"
    services.dispute_post_message(actor=reseller_user, dispute=dispute, body="", files=[png_upload()])
    dispute = fresh(dispute)
    assert dispute.waiting_on == "supplier"
    assert dispute.messages.last().attachments.count() == 1


# --- withdrawing -----------------------------------------------------------------------


def test_withdraw_resumes_auto_confirm_with_the_time_it_had_left(po, reseller_user):
    from procurement.services import purchase_order_auto_confirm

    opened = po.shipped_at + timedelta(days=10)  # 20 days left
    dispute = open_dispute(po, reseller_user, now=opened)
    withdrawn = po.shipped_at + timedelta(days=40)
    services.dispute_withdraw(actor=reseller_user, dispute=dispute, now=withdrawn)
    po = fresh(po)
    dispute = fresh(dispute)
    assert dispute.status == Dispute.Status.WITHDRAWN
    assert po.status == PurchaseOrder.Status.SHIPPED
    assert po.confirm_by == withdrawn + timedelta(days=20)
    assert purchase_order_auto_confirm(purchase_order_id=po.pk, now=po.confirm_by - timedelta(seconds=1)) is None
    assert purchase_order_auto_confirm(purchase_order_id=po.pk, now=po.confirm_by) is not None
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.COMPLETED
    assert reconcile().ok


def test_withdraw_with_no_auto_confirm_time_left_completes_at_once(po, reseller_user):
    dispute = open_dispute(po, reseller_user, now=po.dispute_until - timedelta(seconds=1))
    PurchaseOrder.objects.filter(pk=po.pk).update(confirm_remaining=timedelta(0))  # the timer had run out
    services.dispute_withdraw(actor=reseller_user, dispute=dispute, now=po.dispute_until + timedelta(days=1))
    po = fresh(po)
    assert po.status == PurchaseOrder.Status.COMPLETED
    assert wallet(po.supplier.organisation) == D("285.00")
    assert reconcile().ok


def test_only_the_reseller_withdraws(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    with pytest.raises(PermissionDenied):
        services.dispute_withdraw(actor=supplier_user, dispute=dispute)


def test_withdrawn_dispute_lapses_pending_offers_and_refuses_more(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="50.00")
    services.dispute_withdraw(actor=reseller_user, dispute=dispute)
    offer.refresh_from_db()
    assert offer.status == DisputeOffer.Status.LAPSED
    with pytest.raises(InvalidState):
        services.dispute_accept_offer(actor=reseller_user, offer=offer)
    with pytest.raises(InvalidState):
        services.dispute_post_message(actor=reseller_user, dispute=dispute, body="again")


# --- escalating ------------------------------------------------------------------------


def test_either_side_escalates_once(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    services.dispute_escalate(actor=supplier_user, dispute=dispute)
    dispute = fresh(dispute)
    assert dispute.status == Dispute.Status.ESCALATED
    assert not dispute.auto_escalated
    assert dispute.waiting_on == "staff"
    with pytest.raises(InvalidState):
        services.dispute_escalate(actor=reseller_user, dispute=dispute)


def test_escalated_dispute_can_still_be_settled_by_agreement(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    services.dispute_escalate(actor=reseller_user, dispute=dispute)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="10.00")
    services.dispute_accept_offer(actor=reseller_user, offer=offer)
    dispute = fresh(dispute)
    assert dispute.status == Dispute.Status.SETTLED


# --- staff decisions -------------------------------------------------------------------


def test_staff_decision_splits_escrow_records_decision_and_penalises(po, reseller_user, supplier_user, staff):
    dispute = open_dispute(po, reseller_user)
    services.dispute_escalate(actor=reseller_user, dispute=dispute)
    decision = services.dispute_decide(
        actor=staff,
        dispute=dispute,
        refund_amount="120.00",
        release_amount="180.00",
        decision="貨物確有破損,退款 120 元。",
        at_fault="supplier",
        penalty_sanction=Penalty.Sanction.WARNING,
        penalty_rule="R3",
    )
    dispute = fresh(dispute)
    po = fresh(po)
    assert dispute.status == Dispute.Status.SETTLED
    assert dispute.outcome == Dispute.Outcome.DECISION
    assert po.status == PurchaseOrder.Status.PARTIALLY_REFUNDED
    assert decision.penalty.organisation_id == po.supplier_id
    assert decision.penalty.rule == "R3"
    assert dispute.messages.filter(side="staff", body__contains="退款 120").exists()
    assert AuditEvent.objects.filter(action="dispute.decided", actor=staff).exists()
    assert reconcile().ok


def test_staff_decision_must_add_up_to_the_held_amount(po, reseller_user, staff):
    dispute = open_dispute(po, reseller_user)
    with pytest.raises(ValidationFailed) as excinfo:
        services.dispute_decide(actor=staff, dispute=dispute, refund_amount="100.00", release_amount="199.99", decision="x")
    assert "must add up to the amount held in escrow, 300.00" in excinfo.value.message
    dispute = fresh(dispute)
    assert dispute.status == Dispute.Status.OPEN
    assert not DisputeDecision.objects.exists()


def test_only_staff_decide(po, reseller_user, supplier_user):
    dispute = open_dispute(po, reseller_user)
    for user in (reseller_user, supplier_user):
        with pytest.raises(PermissionDenied):
            services.dispute_decide(actor=user, dispute=dispute, refund_amount="0", release_amount="300.00", decision="x")


def test_a_decision_is_final(po, reseller_user, supplier_user, staff):
    dispute = open_dispute(po, reseller_user)
    offer = services.dispute_make_offer(actor=supplier_user, dispute=dispute, refund_amount="50.00")
    services.dispute_decide(actor=staff, dispute=dispute, refund_amount="0.00", release_amount="300.00", decision="無證據")
    with pytest.raises(InvalidState):
        services.dispute_decide(actor=staff, dispute=dispute, refund_amount="300.00", release_amount="0.00", decision="改判")
    with pytest.raises(InvalidState):
        services.dispute_accept_offer(actor=reseller_user, offer=offer)
    assert DisputeDecision.objects.count() == 1
    assert reconcile().ok


def test_suspension_penalty_needs_days_and_a_party(po, reseller_user, staff):
    dispute = open_dispute(po, reseller_user)
    with pytest.raises(ValidationFailed):
        services.dispute_decide(
            actor=staff, dispute=dispute, refund_amount="0", release_amount="300", decision="x", penalty_sanction="warning"
        )
    with pytest.raises(ValidationFailed):
        services.dispute_decide(
            actor=staff,
            dispute=dispute,
            refund_amount="0",
            release_amount="300",
            decision="x",
            at_fault="reseller",
            penalty_sanction="suspend_ordering",
        )
    dispute = fresh(dispute)
    assert dispute.status == Dispute.Status.OPEN
    assert not Penalty.objects.exists()


def test_reseller_suspension_from_a_decision_blocks_ordering(po, reseller_user, staff):
    dispute = open_dispute(po, reseller_user)
    with time_machine.travel(po.shipped_at + timedelta(days=1), tick=False):
        services.dispute_decide(
            actor=staff,
            dispute=dispute,
            refund_amount="0",
            release_amount="300",
            decision="惡意投訴",
            at_fault="reseller",
            penalty_sanction="suspend_ordering",
            penalty_rule="R8",
            penalty_days=7,
        )
    penalty = Penalty.objects.get()
    assert penalty.ends_at - penalty.starts_at == timedelta(days=7)
    suspended = Penalty.objects.filter(organisation_id=po.reseller_id)
    assert suspended.suspending_ordering(penalty.starts_at + timedelta(days=6)).exists()
    assert not suspended.suspending_ordering(penalty.starts_at + timedelta(days=7)).exists()


def test_disputes_of_different_pos_are_independent():
    first, second = shipped_po(), shipped_po()
    open_dispute(first, member_of(first.reseller.organisation))
    open_dispute(second, member_of(second.reseller.organisation))
    assert Dispute.objects.filter(status="open").count() == 2


def test_float_amounts_are_refused(po, reseller_user):
    with pytest.raises(ValidationFailed) as excinfo:
        open_dispute(po, reseller_user, amount=10.5)
    assert excinfo.value.field == "requested_amount"


def test_a_long_written_decision_is_kept_whole(po, reseller_user, staff):
    dispute = open_dispute(po, reseller_user)
    text = "經查證," + "理由說明。" * 300
    record = services.dispute_decide(actor=staff, dispute=dispute, refund_amount="10", release_amount="290", decision=text)
    assert record.decision == text
    assert reconcile().ok
