"""Rewards and monthly rebates (R17): suppliers pay resellers through the ledger.

``rebates_compute_month`` runs at month end (beat, day 1 02:00) and proposes a rebate
per rule and reseller; the supplier previews each proposal and pays or dismisses it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_manager
from accounts.services import notify_organisation
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.money import ZERO, money
from procurement.models import PurchaseOrder
from settlement.services import reward_pay
from suppliers.models import Partnership

from .. import text_kinds as _text_kinds  # noqa: F401 (registers the kinds these services write)
from ..models import ProposedRebate, RebateRule


def reward_give(
    *, actor, supplier: Organisation, reseller: Organisation, amount, note: str, idempotency_key: str, now: datetime | None = None
):
    """A supplier pays a reseller with a live partnership a reward from its wallet (shown on both
    statements). Idempotent per (supplier, ``idempotency_key``)."""
    require_manager(actor, supplier)
    try:
        amount = money(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationFailed(_("Enter an amount such as 12.50."), field="amount")
    if amount <= ZERO:
        raise ValidationFailed(_("The reward must be more than 0.00."), field="amount")
    if not (note or "").strip():
        raise ValidationFailed(_("Say what the reward is for."), field="note")
    with transaction.atomic():
        if not Partnership.objects.live(now).filter(supplier_id=supplier.pk, reseller_id=reseller.pk).exists():
            raise ValidationFailed(_("You can reward only resellers you are partnered with."), field="reseller")
        reward = reward_pay(
            supplier=supplier, reseller=reseller, amount=amount, note=note.strip(), actor=actor, idempotency_key=idempotency_key
        ).reward  # settlement audits the payment once (a retry with the same key returns it unchanged)
    return reward


def previous_month(today: date) -> date:
    first = today.replace(day=1)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


def _month_bounds(month_on: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(month_on, time.min, tzinfo=tz)
    nxt = month_on.replace(year=month_on.year + 1, month=1) if month_on.month == 12 else month_on.replace(month=month_on.month + 1)
    return start, datetime.combine(nxt, time.min, tzinfo=tz)


def completed_value_by_reseller(*, supplier_id: int, month_on: date, reseller_id: int | None = None) -> dict[int, Decimal]:
    """Released value (total less refunds) of this supplier's POs completed in the month, per reseller."""
    start, end = _month_bounds(month_on)
    qs = PurchaseOrder.objects.filter(
        supplier_id=supplier_id,
        status__in=[PurchaseOrder.Status.COMPLETED, PurchaseOrder.Status.PARTIALLY_REFUNDED],
        completed_at__gte=start,
        completed_at__lt=end,
    )
    if reseller_id is not None:
        qs = qs.filter(reseller_id=reseller_id)
    rows = qs.values("reseller_id").annotate(total=Sum("total_amount"), refunded=Sum("refund_amount"))
    return {r["reseller_id"]: money(r["total"] - (r["refunded"] or ZERO)) for r in rows}


def rebates_compute_month(*, month_on: date, now: datetime | None = None) -> list[ProposedRebate]:
    """Propose this month's rebates for every active rule. Idempotent per (rule, reseller, month)."""
    now = now or timezone.now()
    month_on = month_on.replace(day=1)
    made: list[ProposedRebate] = []
    for rule in RebateRule.objects.filter(is_active=True).order_by("pk"):
        values = completed_value_by_reseller(supplier_id=rule.supplier_id, month_on=month_on, reseller_id=rule.reseller_id)
        for reseller_id, base in sorted(values.items()):
            if base <= rule.threshold_amount:
                continue
            amount = money((base - rule.threshold_amount) * rule.percent / Decimal(100))
            if amount <= ZERO:
                continue
            try:
                with transaction.atomic():
                    proposal, created = ProposedRebate.objects.get_or_create(
                        rule=rule,
                        reseller_id=reseller_id,
                        month_on=month_on,
                        defaults={"supplier_id": rule.supplier_id, "base_amount": base, "amount": amount, "created_at": now},
                    )
                    if created:
                        audit(actor=None, action="rebate.proposed", obj=proposal, organisation=rule.supplier, summary=f"{base} → {amount}")
                        made.append(proposal)
            except IntegrityError:
                continue  # another run created it first
    suppliers = {p.supplier_id for p in made}
    for supplier in Organisation.objects.filter(pk__in=list(suppliers)):
        notify_organisation(
            organisation=supplier,
            kind="rebate.proposed",
            params={"month": month_on.strftime("%Y-%m")},
            url="/rewards/",
            managers_only=True,
        )
    return made


def rebate_pay(*, actor, proposal: ProposedRebate, now: datetime | None = None) -> ProposedRebate:
    """The supplier pays a proposed rebate through the ledger. Paid at most once."""
    now = now or timezone.now()
    require_manager(actor, proposal.supplier)
    with transaction.atomic():
        proposal = ProposedRebate.objects.select_for_update().select_related("supplier", "reseller").get(pk=proposal.pk)
        if proposal.status != ProposedRebate.Status.PROPOSED:
            raise InvalidState(_("This rebate was already paid or dismissed."))
        reward = reward_give(
            actor=actor,
            supplier=proposal.supplier,
            reseller=proposal.reseller,
            amount=proposal.amount,
            note=_("Rebate for %(month)s") % {"month": proposal.month_on.strftime("%Y-%m")},
            idempotency_key=f"rebate-{proposal.pk}",
            now=now,
        )
        proposal.status = ProposedRebate.Status.PAID
        proposal.decided_at = now
        proposal.decided_by = actor
        proposal.reward_id = reward.pk
        proposal.save(update_fields=["status", "decided_at", "decided_by", "reward"])
        audit(actor=actor, action="rebate.paid", obj=proposal, organisation=proposal.supplier, summary=str(proposal.amount))
    return proposal


def rebate_dismiss(*, actor, proposal: ProposedRebate, now: datetime | None = None) -> ProposedRebate:
    now = now or timezone.now()
    require_manager(actor, proposal.supplier)
    with transaction.atomic():
        proposal = ProposedRebate.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != ProposedRebate.Status.PROPOSED:
            raise InvalidState(_("This rebate was already paid or dismissed."))
        proposal.status = ProposedRebate.Status.DISMISSED
        proposal.decided_at = now
        proposal.decided_by = actor
        proposal.save(update_fields=["status", "decided_at", "decided_by"])
        audit(actor=actor, action="rebate.dismissed", obj=proposal, organisation=proposal.supplier, summary=str(proposal.amount))
    return proposal


def rebate_rule_save(
    *,
    actor,
    supplier: Organisation,
    name: str,
    percent,
    threshold_amount,
    reseller: Organisation | None = None,
    rule: RebateRule | None = None,
    is_active: bool = True,
) -> RebateRule:
    require_manager(actor, supplier)
    with transaction.atomic():
        rule = rule or RebateRule(supplier=supplier)
        if rule.supplier_id != supplier.pk:
            raise PermissionDenied(_("This rule belongs to another supplier."))
        rule.name, rule.percent, rule.threshold_amount, rule.reseller, rule.is_active = name, percent, threshold_amount, reseller, is_active
        rule.full_clean(exclude=["supplier"])
        rule.save()
        audit(actor=actor, action="rebate_rule.saved", obj=rule, organisation=supplier, summary=f"{percent}% > {threshold_amount}")
    return rule
