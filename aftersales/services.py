"""Every write of after-sales: opening a request, the supplier's answers, returns, refunds, staff
decisions and the timers.

Each public service is one ``transaction.atomic`` block: it locks the request's row (opening
locks the PO's row, so two requests never claim the same quantities), re-checks the state, fires
the transition (a refused one is ``InvalidState``), writes the transition and audit rows, moves
money through ``settlement.services.refund_from_supplier`` (supplier wallet → reseller wallet, a
shortfall owed by the supplier and taken from its next escrow releases) and publishes
``after_sale.changed`` (webhooks subscribe after commit). A timer and a user racing on one
request make exactly one transition and one refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from accounts.services import notify_organisation, notify_users
from distribution.core import events, texts
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.money import ZERO, format_money, money
from procurement.models import PurchaseOrder, PurchaseOrderLine
from suppliers.selectors.partnerships import supplier_recipient_ids

from . import text_kinds as K
from .models import AfterSale, AfterSaleEvidence, AfterSaleLine, AfterSaleTransition

Status = AfterSale.Status
SYSTEM = "system"


@dataclass(frozen=True)
class AfterSaleRef:
    """A request named by its number on one side (the API's path); another organisation's is not found."""

    number: str
    reseller_id: int | None = None
    supplier_id: int | None = None


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return SYSTEM
    return getattr(actor, "display_name", None) or str(actor)


def _lock(after_sale: AfterSale | AfterSaleRef | int) -> AfterSale:
    qs = AfterSale.objects.select_for_update(of=("self",)).select_related(
        "supplier__organisation", "reseller__organisation", "purchase_order"
    )
    if isinstance(after_sale, AfterSaleRef):
        qs = qs.filter(number=after_sale.number)
        if after_sale.reseller_id is not None:
            qs = qs.filter(reseller_id=after_sale.reseller_id)
        if after_sale.supplier_id is not None:
            qs = qs.filter(supplier_id=after_sale.supplier_id)
        return qs.get()
    return qs.get(pk=after_sale.pk if isinstance(after_sale, AfterSale) else after_sale)


def _already(a: AfterSale) -> str:
    return _("This after-sales request is %(status)s: the action is no longer possible.") % {"status": a.get_status_display()}


def _fire(a: AfterSale, method: str, **kwargs) -> str:
    from_status = a.status
    try:
        getattr(a, method)(**kwargs)
    except TransitionNotAllowed as exc:
        raise InvalidState(_already(a)) from exc
    return from_status


def url_for(a: AfterSale, side: str) -> str:
    return reverse(f"aftersales:{side}_detail", args=[a.number])


def _notify(a: AfterSale, *, to: str, text: texts.Text) -> None:
    """Tell one side (a registered text, rendered in each reader's language); a key account's after-sales
    reach the supplier's key-account manager and the owner(s) (suppliers.selectors.partnerships)."""
    kind, url = f"after_sale.{a.status}", url_for(a, to)
    if to == "supplier":
        users = supplier_recipient_ids(a.supplier_id, a.reseller_id)
        notify_users(users=users, kind=kind, text=text, url=url, organisation_id=a.supplier_id)
        return
    notify_organisation(organisation=a.reseller.organisation, kind=kind, text=text, url=url)


def _timeline_row(a: AfterSale, *, actor, from_status: str, now: datetime, reason: str | texts.Text) -> None:
    AfterSaleTransition.objects.create(
        after_sale=a,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor)[:200],
        from_status=from_status,
        to_status=a.status,
        reason=texts.plain(reason, 500),
        reason_text=texts.stored(reason),
        created_at=now,
    )


def _record(a: AfterSale, *, actor, from_status: str, now: datetime, reason: str | texts.Text = "") -> None:
    a.save()
    _timeline_row(a, actor=actor, from_status=from_status, now=now, reason=reason)
    audit(
        actor=actor,
        action=f"after_sale.{a.status}",
        obj=a,
        organisation=a.reseller_id if from_status in ("", *AfterSale.RESELLER_ACTS) else a.supplier_id,
        summary=f"{a.number}: {from_status or '—'} → {a.status}",
        data={"reason": texts.plain(reason)} if reason else {},
    )
    _publish(a, now=now, from_status=from_status)


def _publish(a: AfterSale, *, now: datetime, from_status: str, **extra) -> None:
    """``after_sale.changed`` (webhooks subscribe after commit)."""
    events.publish(
        "after_sale.changed",
        now=now,
        after_sale_id=a.pk,
        number=a.number,
        purchase_order_id=a.purchase_order_id,
        supplier_id=a.supplier_id,
        reseller_id=a.reseller_id,
        from_status=from_status,
        to_status=a.status,
        **extra,
    )


def _amount(value, *, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter an amount such as 12.50."), field=field) from None
    if not amount.is_finite() or amount != money(amount) or amount <= 0:
        raise ValidationFailed(_("Enter an amount greater than zero with at most two decimal places."), field=field)
    return amount


def _tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier:
        raise ValidationFailed(_("Enter the carrier."), field="carrier")
    if not tracking_number:
        raise ValidationFailed(_("Enter the tracking number."), field="tracking_number")
    if len(carrier) > 50 or len(tracking_number) > 50:
        raise ValidationFailed(_("50 characters at most."), field="carrier" if len(carrier) > 50 else "tracking_number")
    return carrier, tracking_number


def _refund_locked(a: AfterSale, *, actor, amount: Decimal, now: datetime, reason: str | texts.Text) -> AfterSale:
    from settlement.services import refund_from_supplier

    paid = refund_from_supplier(
        reference=a.number,
        supplier=a.supplier.organisation,
        reseller=a.reseller.organisation,
        amount=amount,
        actor=actor,
        memo=reason,
        key=f"aftersales:{a.number}:refund",
    )
    from_status = _fire(a, "refund", now=now, amount=amount, owed=paid.owed_amount)
    _record(a, actor=actor, from_status=from_status, now=now, reason=reason)
    _notify(a, to="reseller", text=K.REFUNDED_TO_RESELLER(number=a.number, amount=texts.Money(amount)))
    if paid.owed_amount:
        text = K.REFUNDED_BY_SUPPLIER_SHORT(
            number=a.number,
            amount=texts.Money(amount),
            paid=texts.Money(paid.from_wallet_amount),
            owed=texts.Money(paid.owed_amount),
        )
    else:
        text = K.REFUNDED_BY_SUPPLIER(number=a.number, amount=texts.Money(amount))
    _notify(a, to="supplier", text=text)
    return a


def _agree_locked(a: AfterSale, *, actor, amount: Decimal, now: datetime, reason: str | texts.Text) -> AfterSale:
    if a.needs_return:
        from_status = _fire(a, "agree_return", now=now, amount=amount)
        _record(a, actor=actor, from_status=from_status, now=now, reason=reason)
        _notify(a, to="reseller", text=K.AGREED_RETURN(number=a.number, when=texts.When(a.return_by)))
        return a
    return _refund_locked(a, actor=actor, amount=amount, now=now, reason=reason)


# --- opening -----------------------------------------------------------------------------


def return_window(po: PurchaseOrder, lines: list[PurchaseOrderLine], *, reason: str) -> datetime | None:
    """Until when ``reason`` may be claimed for these lines (``None``: not at all). Received = completed."""
    if po.completed_at is None:
        return None
    products = [line.sku.product for line in lines]
    if reason == AfterSale.Reason.NO_REASON:
        if not all(p.no_reason_return for p in products):
            return None
        return po.completed_at + settings.AFTERSALES_NO_REASON_WITHIN
    days = min(p.quality_return_days for p in products)
    return po.completed_at + timezone.timedelta(days=days) if days else None


def received_quantities(po: PurchaseOrder) -> dict[int, int] | None:
    """line id → quantity the reseller received: what the packages carried (the rest of a PO partly
    shipped at its deadline was refunded, R14); ``None`` for a PO shipped before packages existed."""
    from procurement.services import shipped_quantities

    return shipped_quantities(po.pk) or None


def claimable_quantities(po: PurchaseOrder, lines) -> dict[int, int]:
    """line id → quantity a new request may still claim: received, less open requests' claims."""
    received, claimed = received_quantities(po), claimed_quantities(po.pk)
    return {
        line.pk: max((received.get(line.pk, 0) if received is not None else line.quantity) - claimed.get(line.pk, 0), 0)
        for line in lines
    }


def claimed_quantities(purchase_order_id: int) -> dict[int, int]:
    """line id → quantity in this PO's requests that are not closed."""
    claimed: dict[int, int] = {}
    rows = AfterSaleLine.objects.filter(after_sale__purchase_order_id=purchase_order_id).exclude(after_sale__status=Status.CLOSED)
    for line_id, quantity in rows.values_list("line_id", "quantity"):
        claimed[line_id] = claimed.get(line_id, 0) + quantity
    return claimed


def after_sale_open(
    *,
    actor,
    reseller,
    purchase_order: PurchaseOrder | str,
    kind: str,
    reason: str,
    description: str,
    quantities: dict[int, int],
    amount: Decimal | str | None = None,
    evidence: list | None = None,
    now: datetime | None = None,
) -> AfterSale:
    """Reseller opens a request on a completed PO of its own, within the products' return window.

    ``quantities``: PO line id → quantity (at most what is not in another open request). ``amount``
    defaults to the lines' value and may not exceed it. ``evidence``: ``[(file, content_type)]``.
    """
    now = _now(now)
    if kind not in AfterSale.Kind.values:
        raise ValidationFailed(_("Choose refund only, return and refund, or exchange."), field="kind")
    if reason not in AfterSale.Reason.values:
        raise ValidationFailed(_("Choose a reason."), field="reason")
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("Describe the problem."), field="description")
    with transaction.atomic():
        number = purchase_order.number if isinstance(purchase_order, PurchaseOrder) else purchase_order
        po = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("supplier__organisation", "reseller__organisation")
            .get(number=number, reseller_id=reseller.pk)
        )
        if po.status != PurchaseOrder.Status.COMPLETED:
            raise InvalidState(_("After-sales requests are possible once the purchase order is received (completed)."))
        lines = {line.pk: line for line in po.lines.select_related("sku__product")}
        wanted = {int(pk): int(q) for pk, q in (quantities or {}).items() if int(q or 0) > 0}
        if not wanted:
            raise ValidationFailed(_("Choose at least one line and quantity."), field="lines")
        claimable = claimable_quantities(po, lines.values())
        for pk, quantity in wanted.items():
            line = lines.get(pk)
            if line is None:
                raise ValidationFailed(_("This line is not part of the purchase order."), field="lines")
            left = claimable[pk]
            if quantity > left:
                raise ValidationFailed(_("%(code)s: at most %(left)s can be claimed.") % {"code": line.code, "left": left}, field="lines")
        chosen = [lines[pk] for pk in sorted(wanted)]
        until = return_window(po, chosen, reason=reason)
        if until is None or now >= until:
            if reason == AfterSale.Reason.NO_REASON:
                message = _("The 7-day no-reason return is not available for these goods or has passed.")
            else:
                message = _("The supplier's return window for these goods has passed.")
            raise ValidationFailed(message, field="reason")
        value = sum((money(lines[pk].unit_price * q) for pk, q in wanted.items()), ZERO)
        requested = value if amount in (None, "") else _amount(amount)
        if requested > value:
            raise ValidationFailed(_("At most %(max)s (the value of the chosen goods).") % {"max": format_money(value)}, field="amount")
        sequence = AfterSale.objects.filter(purchase_order=po).count() + 1
        a = AfterSale(
            number=f"AS{po.number}-{sequence}",
            purchase_order=po,
            supplier=po.supplier,
            reseller=po.reseller,
            opened_by=actor if getattr(actor, "pk", None) else None,
            kind=kind,
            reason=reason,
            description=description[:1000],
            requested_amount=requested,
            opened_at=now,
            respond_by=now + settings.AFTERSALES_RESPOND_WITHIN,
        )
        a.save(force_insert=True)
        AfterSaleLine.objects.bulk_create(
            [
                AfterSaleLine(after_sale=a, line_id=pk, quantity=q, amount=money(lines[pk].unit_price * q))
                for pk, q in sorted(wanted.items())
            ]
        )
        for upload, content_type in evidence or []:
            _evidence(a, actor=actor, side="reseller", upload=upload, content_type=content_type)
        _record(a, actor=actor, from_status="", now=now, reason=K.OPENING_REASONS[reason]())
        _notify(
            a,
            to="supplier",
            text=K.REQUESTED(number=a.number, po=po.number, when=texts.When(a.respond_by), description=description[:500]),
        )
    return a


def _evidence(a: AfterSale, *, actor, side: str, upload, content_type: str) -> AfterSaleEvidence:
    item = AfterSaleEvidence(
        after_sale=a,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        side=side,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size or 0,
    )
    item.file.save(upload.name, upload, save=False)
    item.save()
    return item


def after_sale_add_evidence(*, actor, after_sale: AfterSale | AfterSaleRef, side: str, files: list) -> list[AfterSaleEvidence]:
    """Either side adds validated evidence (``[(file, content_type)]``) to an open request."""
    with transaction.atomic():
        a = _lock(after_sale)
        if not a.is_open:
            raise InvalidState(_already(a))
        return [_evidence(a, actor=actor, side=side, upload=f, content_type=ct) for f, ct in files]


# --- the supplier's answers -------------------------------------------------------------------


def after_sale_agree(*, actor, after_sale: AfterSale | AfterSaleRef, now: datetime | None = None) -> AfterSale:
    """Supplier agrees to the request as asked: a refund is paid at once; a return waits for the goods."""
    now = _now(now)
    with transaction.atomic():
        a = _lock(after_sale)
        if a.status != Status.REQUESTED:
            raise InvalidState(_already(a))
        return _agree_locked(a, actor=actor, amount=a.requested_amount, now=now, reason=K.REASON_AGREED())


def after_sale_propose(*, actor, after_sale: AfterSale | AfterSaleRef, amount, note: str = "", now: datetime | None = None) -> AfterSale:
    """Supplier proposes another amount (below the one asked); the reseller accepts or escalates."""
    now = _now(now)
    amount = _amount(amount)
    with transaction.atomic():
        a = _lock(after_sale)
        if a.status == Status.REQUESTED and amount >= a.requested_amount:
            raise ValidationFailed(
                _("Propose less than the %(asked)s asked, or agree to the request.") % {"asked": format_money(a.requested_amount)},
                field="amount",
            )
        from_status = _fire(a, "propose", now=now, amount=amount, note=(note or "").strip()[:500])
        reason = K.REASON_PROPOSED(amount=texts.Money(amount), note=a.supplier_note)
        _record(a, actor=actor, from_status=from_status, now=now, reason=reason)
        _notify(a, to="reseller", text=K.PROPOSED(number=a.number, amount=texts.Money(amount), note=a.supplier_note))
    return a


def after_sale_refuse(*, actor, after_sale: AfterSale | AfterSaleRef, note: str, now: datetime | None = None) -> AfterSale:
    """Supplier refuses with a reason; the reseller may escalate to platform staff by ``reply_by``."""
    now = _now(now)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Tell the reseller why you refuse."), field="note")
    with transaction.atomic():
        a = _lock(after_sale)
        from_status = _fire(a, "refuse", now=now, note=note[:500])
        _record(a, actor=actor, from_status=from_status, now=now, reason=note)
        _notify(a, to="reseller", text=K.REFUSED(number=a.number, note=note))
    return a


def after_sale_confirm_received(
    *,
    actor,
    after_sale: AfterSale | AfterSaleRef,
    carrier: str = "",
    tracking_number: str = "",
    restock: bool = True,
    now: datetime | None = None,
) -> AfterSale:
    """Supplier confirms the returned goods arrived: the agreed amount is refunded, or for an
    exchange the replacement leaves with ``carrier`` and ``tracking_number``.

    For a return and refund, ``restock`` (default on) puts the returned quantities back on the
    SKUs' stock in the same transaction; off when the goods cannot be sold again."""
    now = _now(now)
    with transaction.atomic():
        a = _lock(after_sale)
        if a.status != Status.RETURN_SHIPPED:
            raise InvalidState(_already(a))
        if a.kind == AfterSale.Kind.EXCHANGE:
            carrier, tracking_number = _tracking(carrier, tracking_number)
            from_status = _fire(a, "exchange", now=now, carrier=carrier, tracking_number=tracking_number)
            _record(a, actor=actor, from_status=from_status, now=now, reason=K.REASON_TRACKING(carrier=carrier, tracking=tracking_number))
            _notify(a, to="reseller", text=K.EXCHANGE_SHIPPED(number=a.number, carrier=carrier, tracking=tracking_number))
            return a
        reason = K.REASON_RECEIVED()
        if restock and a.can_restock:
            _restock(a, actor=actor, now=now)
            reason = K.REASON_RECEIVED_RESTOCKED()
        amount = a.agreed_amount if a.agreed_amount is not None else a.requested_amount
        return _refund_locked(a, actor=actor, amount=amount, now=now, reason=reason)


def _restock(a: AfterSale, *, actor, now: datetime) -> None:
    """The returned quantities back on the SKUs' stock on hand, through the catalog's stock change
    (stock adjustments, audit, ``sku.changed``; ``skus.changed`` for several), in the caller's transaction."""
    from suppliers.services import sku_return_to_stock

    quantities: dict[int, int] = {}
    for sku_id, quantity in AfterSaleLine.objects.filter(after_sale=a).values_list("line__sku_id", "quantity"):
        quantities[sku_id] = quantities.get(sku_id, 0) + quantity
    sku_return_to_stock(
        actor=actor,
        supplier_id=a.supplier_id,
        quantities=quantities,
        reason=_("Returned with after-sales %(number)s") % {"number": a.number},
        now=now,
    )
    a.restocked = True


# --- the reseller's moves -------------------------------------------------------------------


def after_sale_accept(*, actor, after_sale: AfterSale | AfterSaleRef, now: datetime | None = None) -> AfterSale:
    """Reseller accepts the supplier's proposed amount."""
    now = _now(now)
    with transaction.atomic():
        a = _lock(after_sale)
        if a.status != Status.PROPOSED:
            raise InvalidState(_already(a))
        return _agree_locked(a, actor=actor, amount=a.proposed_amount, now=now, reason=K.REASON_ACCEPTED())


def after_sale_escalate(*, actor, after_sale: AfterSale | AfterSaleRef, now: datetime | None = None) -> AfterSale:
    """Reseller asks platform staff to decide (after a refusal or a proposal)."""
    now = _now(now)
    with transaction.atomic():
        a = _lock(after_sale)
        from_status = _fire(a, "escalate", now=now)
        _record(a, actor=actor, from_status=from_status, now=now, reason=K.REASON_ESCALATED())
        _notify(a, to="supplier", text=K.ESCALATED(number=a.number))
    return a


def after_sale_ship_back(
    *, actor, after_sale: AfterSale | AfterSaleRef, carrier: str, tracking_number: str, now: datetime | None = None
) -> AfterSale:
    """Reseller enters the return's tracking. The supplier then has ``AFTERSALES_RECEIVE_WITHIN`` from
    the return's delivery to confirm arrival (``after_sale_mark_return_delivered``; unreported, the
    return counts as delivered ``AFTERSALES_RETURN_TRANSIT`` after now)."""
    now = _now(now)
    carrier, tracking_number = _tracking(carrier, tracking_number)
    with transaction.atomic():
        a = _lock(after_sale)
        from_status = _fire(a, "ship_back", now=now, carrier=carrier, tracking_number=tracking_number)
        _record(a, actor=actor, from_status=from_status, now=now, reason=K.REASON_TRACKING(carrier=carrier, tracking=tracking_number))
        _notify(a, to="supplier", text=K.SHIPPED_BACK(number=a.number, carrier=carrier, tracking=tracking_number))
    return a


def after_sale_mark_return_delivered(
    *, actor, after_sale: AfterSale | AfterSaleRef, delivered_at: datetime | None = None, now: datetime | None = None
) -> AfterSale:
    """Reseller (or its system, from the carrier's tracking) reports the return delivered at
    ``delivered_at`` (default now): the supplier's ``receive_by`` becomes ``delivered_at +
    AFTERSALES_RECEIVE_WITHIN``. Once per request; not before it was shipped back nor in the future."""
    now = _now(now)
    at = delivered_at or now
    with transaction.atomic():
        a = _lock(after_sale)
        if a.status != Status.RETURN_SHIPPED:
            raise InvalidState(_already(a))
        if a.return_delivered_at is not None:
            raise InvalidState(_("The return's delivery was already recorded."))
        if at > now:
            raise ValidationFailed(_("The delivery cannot be in the future."), field="delivered_at")
        if a.return_shipped_at and at < a.return_shipped_at:
            raise ValidationFailed(_("The delivery cannot be before the return was shipped."), field="delivered_at")
        a.mark_return_delivered(at=at)
        a.save(update_fields=["return_delivered_at", "receive_by", "updated_at"])
        _timeline_row(a, actor=actor, from_status=a.status, now=now, reason=K.REASON_RETURN_DELIVERED(when=texts.When(at)))
        audit(actor=actor, action="after_sale.return_delivered", obj=a, organisation=a.reseller_id, summary=f"{a.number}: {at.isoformat()}")
        _publish(a, now=now, from_status=a.status, change="return_delivered")
        _notify(a, to="supplier", text=K.RETURN_DELIVERED(number=a.number, when=texts.When(a.receive_by)))
    return a


def after_sale_withdraw(*, actor, after_sale: AfterSale | AfterSaleRef, now: datetime | None = None) -> AfterSale:
    """Reseller withdraws an open request (before the return is on its way)."""
    now = _now(now)
    with transaction.atomic():
        a = _lock(after_sale)
        from_status = _fire(a, "close", now=now)
        _record(a, actor=actor, from_status=from_status, now=now, reason=K.REASON_WITHDRAWN())
        _notify(a, to="supplier", text=K.WITHDRAWN(number=a.number))
    return a


# --- staff -------------------------------------------------------------------------------------

DECISIONS = ("refund", "return", "refuse")


def after_sale_decide(
    *, actor, after_sale: AfterSale | int, outcome: str, amount=None, note: str = "", now: datetime | None = None
) -> AfterSale:
    """Platform staff decide an escalated request: refund ``amount`` now, require the return
    (then refund as agreed), or refuse (closed)."""
    now = _now(now)
    if actor is None or not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff may decide an after-sales request."))
    if outcome not in DECISIONS:
        raise ValidationFailed(_("Choose a decision."), field="outcome")
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Give the reason for the decision."), field="note")
    with transaction.atomic():
        a = _lock(after_sale)
        if a.status != Status.ESCALATED:
            raise InvalidState(_already(a))
        value = a.requested_amount if amount in (None, "") else _amount(amount)
        if value > a.requested_amount:
            raise ValidationFailed(_("At most the %(asked)s asked.") % {"asked": format_money(a.requested_amount)}, field="amount")
        reason = K.REASON_DECISION(note=note[:450])
        if outcome == "refund":
            _refund_locked(a, actor=actor, amount=value, now=now, reason=reason)
        elif outcome == "return":
            if not a.needs_return:
                raise ValidationFailed(_("This request has no goods to return; decide a refund or refuse."), field="outcome")
            _agree_locked(a, actor=actor, amount=value, now=now, reason=reason)
        else:
            from_status = _fire(a, "close", now=now)
            _record(a, actor=actor, from_status=from_status, now=now, reason=reason)
            for to in ("reseller", "supplier"):
                _notify(a, to=to, text=K.CLOSED_BY_PLATFORM(number=a.number, note=note))
    return a


# --- timers ------------------------------------------------------------------------------------


def after_sale_run_timer(*, after_sale_id: int, now: datetime | None = None) -> AfterSale | None:
    """Apply whichever deadline of the request has passed (``None`` when none has: re-runs are harmless).

    - ``requested`` past ``respond_by``: agreed as asked (refund paid, or the return is awaited);
    - ``proposed`` / ``refused`` past ``reply_by``: closed;
    - ``awaiting_return`` past ``return_by``: closed;
    - ``return_shipped`` past ``receive_by``: refunded as agreed.
    """
    now = _now(now)
    with transaction.atomic():
        a = _lock(after_sale_id)
        if a.status == Status.REQUESTED and a.respond_by and now >= a.respond_by:
            reason = K.REASON_SUPPLIER_SILENT(days=settings.AFTERSALES_RESPOND_WITHIN.days)
            return _agree_locked(a, actor=None, amount=a.requested_amount, now=now, reason=reason)
        if a.status in (Status.PROPOSED, Status.REFUSED) and a.reply_by and now >= a.reply_by:
            reason = K.REASON_RESELLER_SILENT(days=settings.AFTERSALES_REPLY_WITHIN.days)
        elif a.status == Status.AWAITING_RETURN and a.return_by and now >= a.return_by:
            reason = K.REASON_NOT_RETURNED(days=settings.AFTERSALES_RETURN_WITHIN.days)
        elif a.status == Status.RETURN_SHIPPED and a.receive_by and now >= a.receive_by:
            reason = K.REASON_NOT_CONFIRMED(days=settings.AFTERSALES_RECEIVE_WITHIN.days)
            amount = a.agreed_amount if a.agreed_amount is not None else a.requested_amount
            return _refund_locked(a, actor=None, amount=amount, now=now, reason=reason)
        else:
            return None
        from_status = _fire(a, "close", now=now)
        _record(a, actor=None, from_status=from_status, now=now, reason=reason)
        for to in ("reseller", "supplier"):
            _notify(a, to=to, text=K.CLOSED(number=a.number, reason=reason))
    return a
