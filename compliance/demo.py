"""Demo compliance (issue 8): a warning, a paid reward and a proposed monthly rebate.

A warning on ``reseller2@demo.test`` (with evidence), a paid reward and a proposed monthly
rebate supplier1 → reseller1. Runs after ``procurement.demo`` and before ``disputes.demo`` (the
reward is paid from supplier1's wallet before the demo disputes move money). Idempotent;
missing ctx keys → that part is skipped.
"""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from django.utils import timezone

from accounts.models import Penalty
from distribution.core.errors import DomainError

from .models import ProposedRebate, RebateRule
from .services.penalties import penalty_record
from .services.rebates import reward_give


def _penalty(ctx: dict) -> None:
    reseller2, staff = ctx.get("reseller2"), ctx.get("staff")
    if reseller2 is None or staff is None:
        return
    if Penalty.objects.filter(organisation=reseller2.organisation, rule="R7", description__startswith="[demo]").exists():
        return
    penalty_record(
        actor=staff,
        organisation=reseller2.organisation,
        rule="R7",
        description="[demo] 巡查發現店鋪將商品所在地標示為「上海」,實際發貨地為杭州。請於三日內更正。",
        sanction=Penalty.Sanction.WARNING,
        evidence_note="巡查截圖 2026-11",
    )


def _rebate(ctx: dict) -> None:
    supplier, reseller = ctx.get("supplier1"), ctx.get("reseller1")
    if supplier is None or reseller is None:
        return
    rule, _created = RebateRule.objects.get_or_create(
        supplier=supplier.organisation,
        name="月度返利 2%",
        defaults={"percent": Decimal("2.00"), "threshold_amount": Decimal("0.00")},
    )
    month_on = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)
    if ProposedRebate.objects.filter(rule=rule, reseller=reseller.organisation).exists():
        return
    ProposedRebate.objects.create(
        rule=rule,
        supplier=supplier.organisation,
        reseller=reseller.organisation,
        month_on=month_on,
        base_amount=Decimal("12800.00"),
        amount=Decimal("256.00"),
    )


def _reward(ctx: dict) -> None:
    supplier, reseller, user = ctx.get("supplier1"), ctx.get("reseller1"), ctx.get("supplier1_user")
    if supplier is None or reseller is None or user is None:
        return
    with contextlib.suppress(DomainError):  # not partnered in this demo set: no reward to show
        reward_give(
            actor=user,
            supplier=supplier.organisation,
            reseller=reseller.organisation,
            amount=Decimal("88.00"),
            note="第三季度返利",
            idempotency_key="demo-reward-q3",
        )


def seed(ctx: dict) -> None:
    _reward(ctx)
    _penalty(ctx)
    _rebate(ctx)
    if ctx.get("reseller2") is not None and ctx.get("supplier1") is not None:
        ctx["lines"].append(
            "Compliance: reseller2@demo.test has a warning (/compliance/); supplier@demo.test has a rebate to review (/rewards/)"
        )
