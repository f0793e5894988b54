"""The weekly channel digest (R17, 定期總結渠道客戶的意見、建議、經營狀況).

Every Monday morning (Asia/Shanghai) each supplier's owners and managers get the past week
(Monday 00:00 to Monday 00:00, +08:00) for all their resellers, and each key-account manager
for their own accounts only: sales per reseller and the change from the week before, new
applications, messages unanswered for more than 24 hours, disputes (and any section another app
registers with :func:`register_section`, e.g. after-sales), penalties and inspection findings,
and resellers gone quiet (no PO for 14 days). The same :func:`build` feeds the email and the page.

Sending is idempotent per week and member: a :class:`~reports.models.DigestDelivery` row is
written in the transaction that queues the email (through the outbox), and the unique
constraint on (week, member) makes a second run, or a second worker, a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.services import notify_users
from distribution.core import texts
from distribution.core.email import send_email
from distribution.core.money import ZERO, format_money
from distribution.core.sweeps import SweepResult, sweep_each

from . import text_kinds as K
from .models import DailySales, DigestDelivery, DigestOptOut

logger = logging.getLogger(__name__)

QUIET_AFTER = timedelta(days=14)
UNANSWERED_AFTER = timedelta(hours=24)
LIST_LIMIT = 50


# --- extension point: sections other apps add (after-sales, …) ----------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: Callable[[], str]
    # (supplier_id, reseller_ids or None for all, start, end) -> lines of text
    lines: Callable[[int, list[int] | None, datetime, datetime], list[str]]


_SECTIONS: dict[str, Section] = {}


def register_section(key: str, title: Callable[[], str], lines: Callable[[int, list[int] | None, datetime, datetime], list[str]]) -> None:
    """Add a section to every digest (an app's ``ready()``), e.g. after-sales cases opened in the week."""
    _SECTIONS[key] = Section(key, title, lines)


# --- weeks ------------------------------------------------------------------------------------


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_full_week(today: date) -> date:
    """The Monday of the last week that has ended by ``today``."""
    return week_monday(today) - timedelta(days=7)


def parse_week(value: str | None, *, today: date) -> date:
    """``?week=`` as the Monday of a full week; anything else (or a future week) is the last full week."""
    latest = last_full_week(today)
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return latest
    return min(week_monday(day), latest)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def week_end_moment(week_start: date) -> datetime:
    """The Monday 00:00 (+08:00) that ends the week: the moment the digest describes."""
    return _midnight(week_start + timedelta(days=7))


# --- scope ------------------------------------------------------------------------------------


def key_account_reseller_ids(supplier_id: int, user_id: int) -> list[int]:
    """The resellers whose partnership with ``supplier_id`` has ``user_id`` as key-account manager."""
    from suppliers.models import Partnership

    return list(
        Partnership.objects.not_terminated()
        .filter(supplier_id=supplier_id, key_account_manager_id=user_id).values_list("reseller_id", flat=True)
    )  # fmt: skip


def scope_for(membership) -> list[int] | None:
    """None (every reseller) for owners and managers, else the member's key accounts."""
    if membership.can_manage:
        return None
    return key_account_reseller_ids(membership.organisation_id, membership.user_id)


def _in_scope(field: str, reseller_ids: list[int] | None) -> Q:
    return Q() if reseller_ids is None else Q(**{f"{field}__in": reseller_ids})


def _change(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"))


# --- content ----------------------------------------------------------------------------------


def build(*, membership, week_start: date, now: datetime | None = None) -> dict[str, Any]:
    """The digest of ``week_start``'s week for ``membership`` as plain JSON-able data."""
    from accounts.models import Organisation, Penalty
    from disputes.models import Dispute
    from procurement.models import PurchaseOrder
    from resellers.models import InspectionFinding
    from suppliers.models import Message, MessageThread, Partnership, PartnershipApplication
    from suppliers.models.messaging import Side

    supplier_id = membership.organisation_id
    reseller_ids = scope_for(membership)
    start, end = _midnight(week_start), week_end_moment(week_start)
    now = now or end
    week_end_day = week_start + timedelta(days=6)
    previous_start = week_start - timedelta(days=7)

    sums = (
        DailySales.objects.filter(supplier_id=supplier_id, day__gte=previous_start, day__lte=week_end_day)
        .filter(_in_scope("reseller_id", reseller_ids))
        .values("reseller_id")
        .annotate(
            week_gmv=Sum("gmv", filter=Q(day__gte=week_start)), week_pos=Sum("pos", filter=Q(day__gte=week_start)),
            previous=Sum("gmv", filter=Q(day__lt=week_start)),
        ).order_by()
    )  # fmt: skip
    sales_rows = list(sums)
    applications = list(
        PartnershipApplication.objects.filter(supplier_id=supplier_id, created_at__gte=start, created_at__lt=end)
        .filter(_in_scope("reseller_id", reseller_ids)).order_by("created_at").values("reseller_id", "created_at", "status")[:LIST_LIMIT]
    )  # fmt: skip
    last_side = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-id").values("sender_side")[:1]
    unanswered = list(
        MessageThread.objects.filter(supplier_id=supplier_id, last_message_at__lte=now - UNANSWERED_AFTER)
        .filter(_in_scope("reseller_id", reseller_ids))
        .annotate(last_side=Subquery(last_side)).filter(last_side=Side.RESELLER)
        .order_by("last_message_at").values("pk", "subject", "reseller_id", "last_message_at")[:LIST_LIMIT]
    )  # fmt: skip
    disputes = list(
        Dispute.objects.filter(supplier_id=supplier_id, opened_at__gte=start, opened_at__lt=end)
        .filter(_in_scope("reseller_id", reseller_ids))
        .order_by("opened_at").values("pk", "reseller_id", "opened_at", "requested_amount", "reason", "purchase_order__number")[:LIST_LIMIT]
    )  # fmt: skip
    partners = Partnership.objects.filter(supplier_id=supplier_id).filter(_in_scope("reseller_id", reseller_ids))
    penalties = list(
        Penalty.objects.filter(organisation_id__in=partners.values("reseller_id"), starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at").values("organisation_id", "rule", "sanction", "starts_at")[:LIST_LIMIT]
    )  # fmt: skip
    findings = list(
        InspectionFinding.objects.filter(supplier_id=supplier_id, found_at__gte=start, found_at__lt=end)
        .filter(_in_scope("reseller_id", reseller_ids))
        .values("reseller_id").annotate(n=Count("id")).order_by("-n", "reseller_id")[:LIST_LIMIT]
    )  # fmt: skip
    recent_po = PurchaseOrder.objects.filter(
        supplier_id=supplier_id, reseller_id=OuterRef("reseller_id"), placed_at__gte=now - QUIET_AFTER, placed_at__lt=now
    )
    last_po = (
        PurchaseOrder.objects.filter(supplier_id=supplier_id, reseller_id=OuterRef("reseller_id"), placed_at__lt=now)
        .values("reseller_id")
        .annotate(m=Max("placed_at"))
        .values("m")
    )
    quiet = list(
        partners.live(now).filter(started_at__lte=now - QUIET_AFTER).filter(~Exists(recent_po))
        .annotate(last_po_at=Subquery(last_po)).order_by("reseller_id").values("reseller_id", "last_po_at")[:LIST_LIMIT]
    )  # fmt: skip

    ids = {r["reseller_id"] for r in sales_rows} | {r["reseller_id"] for r in applications} | {r["reseller_id"] for r in unanswered}
    ids |= {r["reseller_id"] for r in disputes} | {r["organisation_id"] for r in penalties} | {r["reseller_id"] for r in findings}
    ids |= {r["reseller_id"] for r in quiet}
    names = dict(Organisation.objects.filter(pk__in=ids | {supplier_id}).values_list("pk", "name"))
    sanctions = dict(Penalty.Sanction.choices)
    reasons = dict(Dispute.Reason.choices)

    sales = []
    for r in sales_rows:
        gmv, previous = r["week_gmv"] or ZERO, r["previous"] or ZERO
        change = _change(gmv, previous)
        sales.append({"reseller": names.get(r["reseller_id"], ""), "gmv": format_money(gmv), "pos": r["week_pos"] or 0,
                      "previous": format_money(previous), "change": None if change is None else str(change)})  # fmt: skip
    sales.sort(key=lambda s: (-Decimal(s["gmv"]), s["reseller"]))
    local = timezone.localtime
    content = {
        "supplier": names.get(supplier_id, ""),
        "week_start": week_start.isoformat(),
        "week_end": week_end_day.isoformat(),
        "key_accounts_only": reseller_ids is not None,
        "total_gmv": format_money(sum((Decimal(s["gmv"]) for s in sales), ZERO)),
        "total_previous": format_money(sum((Decimal(s["previous"]) for s in sales), ZERO)),
        "sales": sales,
        "applications": [
            {"reseller": names.get(a["reseller_id"], ""), "at": local(a["created_at"]).strftime("%Y-%m-%d %H:%M")} for a in applications
        ],
        "unanswered": [
            {
                "subject": t["subject"],
                "reseller": names.get(t["reseller_id"], ""),
                "thread_id": t["pk"],
                "since": local(t["last_message_at"]).strftime("%Y-%m-%d %H:%M"),
            }
            for t in unanswered
        ],  # fmt: skip
        "disputes": [
            {
                "number": f"D{d['pk']:06d}",
                "reseller": names.get(d["reseller_id"], ""),
                "po": d["purchase_order__number"],
                "amount": format_money(d["requested_amount"]),
                "reason": str(reasons.get(d["reason"], d["reason"])),
                "at": local(d["opened_at"]).strftime("%Y-%m-%d %H:%M"),
            }
            for d in disputes
        ],  # fmt: skip
        "penalties": [
            {
                "reseller": names.get(p["organisation_id"], ""),
                "rule": p["rule"],
                "sanction": str(sanctions.get(p["sanction"], p["sanction"])),
                "at": local(p["starts_at"]).strftime("%Y-%m-%d"),
            }
            for p in penalties
        ],  # fmt: skip
        "findings": [{"reseller": names.get(f["reseller_id"], ""), "count": f["n"]} for f in findings],
        "quiet": [
            {"reseller": names.get(q["reseller_id"], ""), "last_po": local(q["last_po_at"]).strftime("%Y-%m-%d") if q["last_po_at"] else ""}
            for q in quiet
        ],
        "sections": [
            {"key": s.key, "title": str(s.title()), "lines": s.lines(supplier_id, reseller_ids, start, end)} for s in _SECTIONS.values()
        ],
    }
    if reseller_ids is not None:
        from suppliers.models import Supplier
        from suppliers.selectors.partnerships import supplier_response_time

        response = supplier_response_time(Supplier(organisation_id=supplier_id), now=now, reseller_ids=reseller_ids)
        content["response_hours"] = (
            None if response.median is None else str(Decimal(response.median.total_seconds() / 3600).quantize(Decimal("0.1")))
        )
    return content


# --- opt-out ----------------------------------------------------------------------------------


def is_opted_out(membership) -> bool:
    return DigestOptOut.objects.filter(membership=membership).exists()


def set_opt_out(*, membership, opted_out: bool) -> None:
    with transaction.atomic():
        if opted_out:
            DigestOptOut.objects.get_or_create(membership=membership)
        else:
            DigestOptOut.objects.filter(membership=membership).delete()


# --- sending ----------------------------------------------------------------------------------


def recipients_queryset(week_start: date):
    """Supplier members due a digest for the week: owners/managers and key-account managers, not opted out, not yet sent."""
    from accounts.models import MANAGING_ROLES, Membership
    from suppliers.models import Partnership, Supplier

    kam = Partnership.objects.not_terminated().filter(key_account_manager_id=OuterRef("user_id"), supplier_id=OuterRef("organisation_id"))
    return (
        Membership.objects.filter(organisation__kind="supplier", user__is_active=True,
                                  organisation_id__in=Supplier.objects.filter(status=Supplier.Status.ACTIVE).values("organisation_id"))
        .filter(Q(role__in=list(MANAGING_ROLES)) | Exists(kam))
        .exclude(Exists(DigestOptOut.objects.filter(membership_id=OuterRef("pk"))))
        .exclude(Exists(DigestDelivery.objects.filter(membership_id=OuterRef("pk"), week_start=week_start)))
    )  # fmt: skip


def deliver(*, membership_id: int, week_start: date, now: datetime) -> DigestDelivery | None:
    """Send one member's digest for the week unless it was sent (call inside a transaction)."""
    from accounts.models import Membership

    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    if DigestDelivery.objects.filter(membership=membership, week_start=week_start).exists() or is_opted_out(membership):
        return None
    # the whole email (its figures' labels, the subject) in the recipient's own language
    with translation.override(membership.user.language or settings.LANGUAGE_CODE):
        content = build(membership=membership, week_start=week_start)
        try:
            with transaction.atomic():
                delivery = DigestDelivery.objects.create(
                    week_start=week_start,
                    membership=membership,
                    key_accounts_only=content["key_accounts_only"],
                    content=content,
                    sent_at=now,
                )
        except IntegrityError:  # another worker sent it a moment ago
            return None
        url = f"/reports/digest/?week={week_start.isoformat()}"
        text = K.WEEKLY_DIGEST(supplier=content["supplier"], day=texts.When(week_start))
        context = {"content": content, "url": settings.SITE_URL + url}
        send_email(
            to=[membership.user.email],
            subject=text.render("title"),
            body=render_to_string("reports/email/digest.txt", context),
            html=render_to_string("reports/email/digest.html", context),
        )
        # and on the platform: a notice (rendered when read, in the reader's language) linking to the page
        notify_users(users=[membership.user_id], kind=K.WEEKLY_DIGEST.key, text=text, url=url, organisation_id=membership.organisation_id)
    return delivery


def send_due_digests(*, now: datetime, dry_run: bool = False) -> SweepResult:
    """The ``weekly_digests`` sweep: every due member's digest for the last full week, once."""
    week_start = last_full_week(timezone.localdate(now))
    return sweep_each(
        "weekly_digests",
        recipients_queryset(week_start),
        act_one=lambda pk: f"member {pk}" if deliver(membership_id=pk, week_start=week_start, now=now) else None,
        now=now,
        dry_run=dry_run,
        label=lambda pk: f"member {pk}",
    )
