"""Writes for disputes (R15, R16): open, talk, offer, accept, withdraw, escalate, decide.

Every writing service locks the purchase order row first and then the dispute row
(always in that order, so two services never deadlock), re-checks state under the
locks, writes, audits and notifies both sides in the same transaction. A dispute is
settled exactly once: the loser of a race (an accepted offer against a staff
decision) finds the dispute settled and gets ``InvalidState``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.services import notify_organisation, notify_users
from compliance.services.penalties import penalty_record
from distribution.core import texts
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.evidence import validate_evidence_files
from distribution.core.money import ZERO, money
from procurement.models import PurchaseOrder
from procurement.services import (
    purchase_order_confirm_receipt,
    purchase_order_dispute_open,
    purchase_order_dispute_settle,
    purchase_order_dispute_withdraw,
)
from suppliers.selectors.partnerships import supplier_recipient_ids

from . import text_kinds as K
from .models import Dispute, DisputeDecision, DisputeEvidence, DisputeMessage, DisputeOffer, Side


def side_of(actor, dispute: Dispute) -> str:
    """Which side ``actor`` speaks for on ``dispute``; ``PermissionDenied`` if none."""
    membership = getattr(actor, "membership", None) if getattr(actor, "pk", None) else None
    org_id = membership.organisation_id if membership is not None else None
    if org_id is not None and org_id == dispute.reseller_id:
        return Side.RESELLER
    if org_id is not None and org_id == dispute.supplier_id:
        return Side.SUPPLIER
    if org_id is None and getattr(actor, "is_staff", False):
        return Side.STAFF
    raise PermissionDenied(_("You are not a party to this dispute."))


def _other(side: str) -> str:
    return Side.SUPPLIER if side == Side.RESELLER else Side.RESELLER


def _amount(value, field: str) -> Decimal:
    try:
        return money(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("Enter an amount such as 12.50."), field=field)


def _checked_files(files) -> list:
    try:
        return validate_evidence_files(list(files or []))
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="evidence")


def _attach(dispute: Dispute, message: DisputeMessage | None, checked: list, actor, side: str, now: datetime) -> None:
    for upload, content_type in checked:
        DisputeEvidence.objects.create(
            dispute=dispute,
            message=message,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            side=side,
            file=upload,
            original_name=(upload.name or "")[:200],
            content_type=content_type,
            size=upload.size or 0,
            created_at=now,
        )


def _lock(dispute_id: int) -> tuple[Dispute, object]:
    """Lock the PO row, then the dispute row (global order: PO before dispute)."""

    po_id = Dispute.objects.filter(pk=dispute_id).values_list("purchase_order_id", flat=True).first()
    if po_id is None:
        raise InvalidState(_("This dispute does not exist."))
    po = PurchaseOrder.objects.select_for_update().get(pk=po_id)
    dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
    return dispute, po


def _notify_both(dispute: Dispute, *, kind: str, text: texts.Text | None = None, title: str | None = None, body: str = "") -> None:
    """Both sides, with a registered ``text`` (each reader's language) or, the old way, finished ``title``/``body``."""
    url = f"/disputes/{dispute.pk}/"
    for org_id in (dispute.reseller_id, dispute.supplier_id):
        _notify_side(dispute, org_id, kind=kind, text=text, title=title, body=body, url=url)


def _notify_side(
    dispute: Dispute,
    org_id: int,
    *,
    kind: str,
    params: dict | None = None,
    text: texts.Text | None = None,
    title: str | None = None,
    body: str = "",
    url: str = "",
) -> None:
    """One side of a dispute; on the supplier's side a key account's dispute goes to its manager and the owner."""
    if org_id == dispute.supplier_id:
        users = supplier_recipient_ids(dispute.supplier_id, dispute.reseller_id)
        notify_users(users=users, kind=kind, params=params, text=text, title=title, body=body, url=url, organisation_id=org_id)
        return
    notify_organisation(organisation=_org(org_id), kind=kind, params=params, text=text, title=title, body=body, url=url)


def _org(org_id: int):
    return Organisation.objects.get(pk=org_id)


def dispute_open(
    *,
    actor,
    purchase_order,
    reason: str,
    requested_amount,
    description: str,
    files=None,
    now: datetime | None = None,
) -> Dispute:
    """The reseller disputes a shipped PO before ``dispute_until``; the PO moves to ``disputed``.

    Any member of the PO's reseller may open it. At most one open dispute per PO.
    """
    now = now or timezone.now()
    membership = getattr(actor, "membership", None)
    if membership is None or membership.organisation_id != purchase_order.reseller_id:
        raise PermissionDenied(_("Only the reseller that placed this purchase order can dispute it."))
    if reason not in Dispute.Reason.values:
        raise ValidationFailed(_("Choose a reason."), field="reason")
    amount = _amount(requested_amount, "requested_amount")
    if amount <= ZERO:
        raise ValidationFailed(_("The amount asked back must be more than 0.00."), field="requested_amount")
    if amount > purchase_order.total_amount:
        raise ValidationFailed(
            _("The amount asked back cannot exceed the purchase order total (%(total)s).") % {"total": purchase_order.total_amount},
            field="requested_amount",
        )
    if not (description or "").strip():
        raise ValidationFailed(_("Describe the problem."), field="description")
    checked = _checked_files(files)

    with transaction.atomic():
        po = PurchaseOrder.objects.select_for_update().get(pk=purchase_order.pk)
        if po.status != PurchaseOrder.Status.SHIPPED:
            raise InvalidState(_("Only a shipped purchase order can be disputed."))
        if po.dispute_until is None or now >= po.dispute_until:
            raise InvalidState(_("The 30 days to dispute this purchase order have passed."))
        po = purchase_order_dispute_open(actor=actor, purchase_order=po, now=now, notify=False)
        dispute = Dispute.objects.create(
            purchase_order=po,
            reseller_id=po.reseller_id,
            supplier_id=po.supplier_id,
            opened_by=actor,
            reason=reason,
            requested_amount=amount,
            description=description.strip(),
            opened_at=now,
            dispute_until=po.dispute_until,
            confirm_time_left=getattr(po, "confirm_remaining", None),
            waiting_on=Side.SUPPLIER,
        )
        _attach(dispute, None, checked, actor, Side.RESELLER, now)
        audit(
            actor=actor,
            action="dispute.opened",
            obj=dispute,
            organisation=membership.organisation,
            summary=f"{po.number}: {reason} {amount}",
            data={"purchase_order": po.number, "reason": reason, "requested_amount": str(amount)},
        )
        _notify_both(
            dispute,
            kind="dispute.opened",
            text=K.OPENED(number=po.number, description=description.strip()[:500]),
        )
    return dispute


def dispute_post_message(*, actor, dispute: Dispute, body: str, files=None, now: datetime | None = None) -> DisputeMessage:
    """Add a message (and evidence) to an open or escalated dispute's thread."""
    now = now or timezone.now()
    side = side_of(actor, dispute)
    checked = _checked_files(files)
    if not (body or "").strip() and not checked:
        raise ValidationFailed(_("Write a message or attach evidence."), field="body")
    with transaction.atomic():
        dispute, _po = _lock(dispute.pk)
        if not dispute.is_open:
            raise InvalidState(_("This dispute is closed."))
        message = DisputeMessage.objects.create(dispute=dispute, author=actor, side=side, body=(body or "").strip(), created_at=now)
        _attach(dispute, message, checked, actor, side, now)
        if dispute.status == Dispute.Status.OPEN and side in (Side.RESELLER, Side.SUPPLIER):
            dispute.waiting_on = _other(side)
            dispute.save(update_fields=["waiting_on", "updated_at"])
        audit(actor=actor, action="dispute.message", obj=dispute, summary=f"{side}: {len(checked)} file(s)")
    return message


def dispute_make_offer(*, actor, dispute: Dispute, refund_amount, note: str = "", now: datetime | None = None) -> DisputeOffer:
    """Offer "refund X to the reseller, release the rest to the supplier".

    A new offer counters the other side's pending offer and replaces one's own.
    """
    now = now or timezone.now()
    side = side_of(actor, dispute)
    if side not in (Side.RESELLER, Side.SUPPLIER):
        raise PermissionDenied(_("Platform staff decide; they do not make offers."))
    refund = _amount(refund_amount, "refund_amount")
    with transaction.atomic():
        dispute, po = _lock(dispute.pk)
        if not dispute.is_open:
            raise InvalidState(_("This dispute is closed."))
        held = po.in_question  # what escrow holds, or what the supplier was paid of it (then refunded from its wallet)
        if refund < ZERO or refund > held:
            raise ValidationFailed(
                _("The refund must be between 0.00 and the amount held in escrow (%(held)s).") % {"held": held},
                field="refund_amount",
            )
        pending = DisputeOffer.objects.filter(dispute=dispute, status=DisputeOffer.Status.PENDING)
        pending.filter(side=side).update(status=DisputeOffer.Status.SUPERSEDED, answered_at=now)
        pending.exclude(side=side).update(status=DisputeOffer.Status.COUNTERED, answered_at=now, answered_by=actor)
        offer = DisputeOffer.objects.create(
            dispute=dispute, side=side, made_by=actor, refund_amount=refund, release_amount=held - refund, note=note.strip(), created_at=now
        )
        if dispute.status == Dispute.Status.OPEN:
            dispute.waiting_on = _other(side)
            dispute.save(update_fields=["waiting_on", "updated_at"])
        audit(actor=actor, action="dispute.offer", obj=dispute, summary=f"{side} refund {refund} release {held - refund}")
        _notify_side(
            dispute,
            dispute.reseller_id if side == Side.SUPPLIER else dispute.supplier_id,
            kind="dispute.offer",
            params={"number": dispute.number, "refund": texts.Money(refund)},
            url=f"/disputes/{dispute.pk}/",
        )
    return offer


def _settle(
    *, actor, dispute: Dispute, po, refund: Decimal, release: Decimal, outcome: str, reason: str | texts.Text, now: datetime
) -> Dispute:
    """Split escrow once (caller holds the PO and dispute locks and checked the split)."""
    if not isinstance(reason, texts.Text):
        reason = reason[:300]
    purchase_order_dispute_settle(
        actor=actor, purchase_order=po, refund_amount=refund, release_amount=release, reason=reason, now=now, notify=False
    )
    dispute.settle(at=now, outcome=outcome, refund_amount=refund, release_amount=release)
    dispute.save()
    DisputeOffer.objects.filter(dispute=dispute, status=DisputeOffer.Status.PENDING).update(
        status=DisputeOffer.Status.LAPSED, answered_at=now
    )
    _notify_both(
        dispute,
        kind="dispute.settled",
        text=K.SETTLED(number=dispute.number, refund=texts.Money(refund), release=texts.Money(release), reason=reason),
    )
    return dispute


def dispute_accept_offer(*, actor, offer: DisputeOffer, now: datetime | None = None) -> Dispute:
    """The other side accepts a pending offer: escrow is split at once and the dispute is settled."""
    now = now or timezone.now()
    side = side_of(actor, offer.dispute)
    with transaction.atomic():
        dispute, po = _lock(offer.dispute_id)
        offer = DisputeOffer.objects.select_for_update().get(pk=offer.pk)
        if dispute.status == Dispute.Status.SETTLED:
            raise InvalidState(_("This dispute was already settled."))
        if not dispute.is_open:
            raise InvalidState(_("This dispute is closed."))
        if offer.status != DisputeOffer.Status.PENDING:
            raise InvalidState(_("This offer is no longer open."))
        if side == offer.side or side not in (Side.RESELLER, Side.SUPPLIER):
            raise PermissionDenied(_("Only the other side can accept this offer."))
        held = po.in_question  # what escrow holds, or what the supplier was paid of it (then refunded from its wallet)
        if offer.refund_amount + offer.release_amount != held:
            raise InvalidState(_("The amount held in escrow changed; make a new offer."))
        offer.status = DisputeOffer.Status.ACCEPTED
        offer.answered_at = now
        offer.answered_by = actor
        offer.save(update_fields=["status", "answered_at", "answered_by"])
        _settle(
            actor=actor,
            dispute=dispute,
            po=po,
            refund=offer.refund_amount,
            release=offer.release_amount,
            outcome=Dispute.Outcome.AGREEMENT,
            reason=K.REASON_OFFER_ACCEPTED(),
            now=now,
        )
        audit(
            actor=actor,
            action="dispute.offer_accepted",
            obj=dispute,
            summary=f"refund {offer.refund_amount} release {offer.release_amount}",
            data={"offer": offer.pk, "refund": str(offer.refund_amount), "release": str(offer.release_amount)},
        )
    return dispute


def dispute_withdraw(*, actor, dispute: Dispute, now: datetime | None = None) -> Dispute:
    """The reseller withdraws: the PO returns to ``shipped`` and auto-confirm resumes with the time
    it had left; if that time has run out, the PO completes at once."""
    now = now or timezone.now()
    if side_of(actor, dispute) != Side.RESELLER:
        raise PermissionDenied(_("Only the reseller can withdraw its dispute."))
    with transaction.atomic():
        dispute, po = _lock(dispute.pk)
        if not dispute.is_open:
            raise InvalidState(_("This dispute is closed."))
        po = purchase_order_dispute_withdraw(actor=actor, purchase_order=po, now=now, notify=False)
        dispute.withdraw(at=now)
        dispute.save()
        DisputeOffer.objects.filter(dispute=dispute, status=DisputeOffer.Status.PENDING).update(
            status=DisputeOffer.Status.LAPSED, answered_at=now
        )
        audit(actor=actor, action="dispute.withdrawn", obj=dispute, summary=po.number)
        if po.confirm_by is not None and po.confirm_by <= now:
            purchase_order_confirm_receipt(actor=actor, purchase_order=po, now=now)
        _notify_both(dispute, kind="dispute.withdrawn", text=K.WITHDRAWN(number=dispute.number))
    return dispute


def dispute_escalate(*, actor, dispute: Dispute, now: datetime | None = None) -> Dispute:
    """Either side hands the dispute to platform staff."""
    now = now or timezone.now()
    side = side_of(actor, dispute)
    if side not in (Side.RESELLER, Side.SUPPLIER):
        raise PermissionDenied(_("Only the two sides escalate a dispute."))
    with transaction.atomic():
        dispute, _po = _lock(dispute.pk)
        if dispute.status != Dispute.Status.OPEN:
            raise InvalidState(_("This dispute is already with the platform or closed."))
        dispute.escalate(at=now, auto=False, by=actor)
        dispute.save()
        audit(actor=actor, action="dispute.escalated", obj=dispute, summary=side)
        _notify_both(dispute, kind="dispute.escalated", text=K.ESCALATED(number=dispute.number))
    return dispute


def dispute_escalate_due(*, dispute_id: int, now: datetime | None = None) -> Dispute | None:
    """Escalate an open dispute whose negotiation window has ended (timer). Idempotent:
    returns ``None`` when there is nothing to do."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute, _po = _lock(dispute_id)
        if dispute.status != Dispute.Status.OPEN or dispute.dispute_until > now:
            return None
        dispute.escalate(at=now, auto=True, by=None)
        dispute.save()
        audit(actor=None, action="dispute.auto_escalated", obj=dispute, summary=f"at {now.isoformat()}")
        _notify_both(
            dispute,
            kind="dispute.escalated",
            text=K.ESCALATED_LATE(number=dispute.number),
        )
    return dispute


def dispute_decide(
    *,
    actor,
    dispute: Dispute,
    refund_amount,
    release_amount,
    decision: str,
    at_fault: str = "",
    penalty_sanction: str | None = None,
    penalty_rule: str = "R15",
    penalty_days: int | None = None,
    now: datetime | None = None,
) -> DisputeDecision:
    """Platform staff decide a dispute: the split (adding up to the amount held), a written
    decision shown to both sides, optionally a penalty on the party at fault. Final."""
    now = now or timezone.now()
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff decide disputes."))
    refund = _amount(refund_amount, "refund_amount")
    release = _amount(release_amount, "release_amount")
    if refund < ZERO:
        raise ValidationFailed(_("The refund cannot be negative."), field="refund_amount")
    if release < ZERO:
        raise ValidationFailed(_("The release cannot be negative."), field="release_amount")
    if not (decision or "").strip():
        raise ValidationFailed(_("Write the decision both sides will read."), field="decision")
    if at_fault not in ("", Side.RESELLER, Side.SUPPLIER):
        raise ValidationFailed(_("Choose the party at fault."), field="at_fault")
    if penalty_sanction and not at_fault:
        raise ValidationFailed(_("Choose the party at fault to penalise."), field="at_fault")
    with transaction.atomic():
        dispute, po = _lock(dispute.pk)
        if dispute.status == Dispute.Status.SETTLED:
            raise InvalidState(_("This dispute was already settled."))
        if not dispute.is_open:
            raise InvalidState(_("This dispute is closed."))
        held = po.in_question  # what escrow holds, or what the supplier was paid of it (then refunded from its wallet)
        if refund + release != held:
            raise ValidationFailed(
                _("Refund %(refund)s + release %(release)s must add up to the amount held in escrow, %(held)s.")
                % {"refund": refund, "release": release, "held": held},
                field="refund_amount",
            )
        penalty = None
        if penalty_sanction:
            penalty = penalty_record(
                actor=actor,
                organisation=_org(dispute.reseller_id if at_fault == Side.RESELLER else dispute.supplier_id),
                rule=penalty_rule,
                description=_("Dispute %(number)s on purchase order %(po)s: %(decision)s")
                % {"number": dispute.number, "po": po.number, "decision": decision.strip()},
                sanction=penalty_sanction,
                days=penalty_days,
                now=now,
            )
        record = DisputeDecision.objects.create(
            dispute=dispute,
            decided_by=actor,
            decided_at=now,
            refund_amount=refund,
            release_amount=release,
            decision=decision.strip(),
            at_fault=at_fault,
            penalty=penalty,
        )
        DisputeMessage.objects.create(dispute=dispute, author=actor, side=Side.STAFF, body=decision.strip(), created_at=now)
        _settle(
            actor=actor,
            dispute=dispute,
            po=po,
            refund=refund,
            release=release,
            outcome=Dispute.Outcome.DECISION,
            reason=decision.strip(),
            now=now,
        )
        audit(
            actor=actor,
            action="dispute.decided",
            obj=dispute,
            summary=f"refund {refund} release {release} fault {at_fault or '-'}",
            data={"refund": str(refund), "release": str(release), "at_fault": at_fault, "penalty": penalty.pk if penalty else None},
        )
    return record
