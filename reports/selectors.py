"""What the report pages show: aggregates over the daily rollups (never the raw POs, except the
small live sets: open disputes, findings, penalties, current stock), one or two queries per report.

Every function takes the asking organisation's id and filters by it first, so one organisation's
figures never appear in another's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from distribution.core.money import ZERO

from .models import DailySales, DailySkuSales, MonthlySales, PartyDailySales, PlatformDailySales

STOCK_WINDOW_DAYS = 28
RUNNING_OUT_DAYS = 14
TOP = 10


@dataclass
class Report:
    """A report's table (``columns`` keys of ``rows``), its totals and its chart."""

    columns: list[tuple[str, str]]  # (key, heading)
    rows: list[dict[str, Any]]
    totals: dict[str, Any] = field(default_factory=dict)
    chart: dict[str, Any] = field(default_factory=dict)
    money: frozenset = frozenset()
    percent: frozenset = frozenset()


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal, None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def average_hours(seconds: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(seconds) / Decimal(count) / 3600).quantize(Decimal("0.1"))


def _range(qs, date_from: date, date_to: date):
    return qs.filter(day__gte=date_from, day__lte=date_to)


def whole_months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """(first, end): the calendar months wholly inside the period, ``first`` ≤ month < ``end``; None when there is none."""
    first = date_from if date_from.day == 1 else (date_from.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = (date_to + timedelta(days=1)).replace(day=1)  # the first day of the month after the last whole one
    return (first, end) if first < end else None


def _period_expr(period: str):
    return {"week": TruncWeek("day"), "month": TruncMonth("day")}.get(period, F("day"))


SALES_SUMS = {
    "pos": Coalesce(Sum("pos"), 0),
    "gmv": Coalesce(Sum("gmv"), ZERO),
    "refunds": Coalesce(Sum("refunds"), ZERO),
    "commission": Coalesce(Sum("commission"), ZERO),
}
SKU_SUMS = {
    "units": Coalesce(Sum("units"), 0),
    "supply": Coalesce(Sum("supply"), ZERO),
    "retail": Coalesce(Sum("retail"), ZERO),
}


def _with_net(row: dict[str, Any]) -> dict[str, Any]:
    if "gmv" in row:
        row["net"] = row["gmv"] - row["refunds"]
    if "retail" in row:
        row["margin"] = row["retail"] - row["supply"]
    return row


def sales(
    *,
    supplier_id: int | None = None,
    reseller_id: int | None = None,
    date_from: date,
    date_to: date,
    group: str,
    period: str = "day",
    filters: dict[str, int] | None = None,
    reseller_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    """Sales (or a reseller's spend) grouped by ``group``: period / reseller / supplier / shop / sku.

    SKU groups come from the SKU rollup (units, supply, retail); the others from the PO rollup
    joined with the SKU rollup's sums for the same key where units and margin are wanted.
    """
    scope = Q()
    if supplier_id is not None:
        scope &= Q(supplier_id=supplier_id)
    if reseller_id is not None:
        scope &= Q(reseller_id=reseller_id)
    if reseller_ids is not None:
        scope &= Q(reseller_id__in=reseller_ids)
    for key, value in (filters or {}).items():
        if value:
            scope &= Q(**{key: value})
    key = {"period": "bucket", "reseller": "reseller_id", "supplier": "supplier_id", "shop": "shop_id", "sku": "sku_id"}[group]
    months = whole_months(date_from, date_to)
    if group in ("reseller", "supplier") and months and not any((filters or {}).get(k) for k in ("shop_id", "sku_id")):
        return _sales_by_party(scope, key, date_from, date_to, months)
    # a supplier's whole sales by day: one PartyDailySales row a day. Not a reseller's: its key
    # (role, day, party) would walk every reseller's day (2,000 a day at 1M POs; EXPLAIN), and
    # the reseller's own day rows are few (the (reseller_id, day) index)
    whole_supplier = supplier_id is not None and reseller_id is None and reseller_ids is None and not any((filters or {}).values())
    if group == "period" and whole_supplier:
        return _supplier_sales_by_period(scope, supplier_id, date_from, date_to, period)
    sku_qs = _range(DailySkuSales.objects.filter(scope), date_from, date_to)
    if group == "period":
        sku_qs = sku_qs.annotate(bucket=_period_expr(period))
    sku_rows = {r[key]: r for r in sku_qs.values(key).annotate(**SKU_SUMS).order_by()}
    if group == "sku":
        rows = [_with_net(dict(r)) for r in sku_rows.values()]
        return sorted(rows, key=lambda r: (-r["supply"], r[key]))
    sku_filter = {k: v for k, v in (filters or {}).items() if k == "sku_id" and v}
    if sku_filter:  # a SKU filter: the POs' own figures are not per SKU, units and amounts are
        rows = [_with_net(dict(r)) for r in sku_rows.values()]
    else:
        sales_qs = _range(DailySales.objects.filter(scope), date_from, date_to)
        if group == "period":
            sales_qs = sales_qs.annotate(bucket=_period_expr(period))
        rows = []
        for r in sales_qs.values(key).annotate(**SALES_SUMS).order_by():
            r = dict(r)
            r.update({k: v for k, v in sku_rows.get(r[key], {"units": 0, "supply": ZERO, "retail": ZERO}).items() if k != key})
            rows.append(_with_net(r))
    if group == "period":
        return sorted(rows, key=lambda r: r["bucket"])
    return sorted(rows, key=lambda r: (-(r.get("gmv") or r.get("supply") or 0), r[key]))


def _merge(rows: dict[Any, dict[str, Any]], more, key: str) -> None:
    for r in more:
        row = rows.setdefault(r[key], {key: r[key]})
        for k, v in r.items():
            if k != key:
                row[k] = row.get(k, 0) + v


def _sales_by_party(scope: Q, key: str, date_from: date, date_to: date, months: tuple[date, date]) -> list[dict[str, Any]]:
    """Sales per reseller / per supplier: the whole months from ``MonthlySales`` (a row per month and
    pair instead of one per day and shop), the days at either end from the day rollups."""
    first, end = months
    edges = Q(day__gte=date_from, day__lt=first) | Q(day__gte=end, day__lte=date_to)
    rows: dict[Any, dict[str, Any]] = {}
    monthly = MonthlySales.objects.filter(scope, month__gte=first, month__lt=end).values(key)
    _merge(rows, monthly.annotate(**SALES_SUMS, **SKU_SUMS).order_by(), key)
    if date_from < first or end <= date_to:
        _merge(rows, DailySales.objects.filter(scope & edges).values(key).annotate(**SALES_SUMS).order_by(), key)
        _merge(rows, DailySkuSales.objects.filter(scope & edges).values(key).annotate(**SKU_SUMS).order_by(), key)
    out = [_with_net({"pos": 0, "gmv": ZERO, "refunds": ZERO, "commission": ZERO, "units": 0, "supply": ZERO, "retail": ZERO, **r})
           for r in rows.values()]  # fmt: skip
    return sorted(out, key=lambda r: (-(r["gmv"] or r["supply"] or 0), r[key]))


def _bucket(day: date, period: str) -> date:
    if period == "month":
        return day.replace(day=1)
    if period == "week":
        return day - timedelta(days=day.weekday())  # Monday, as TruncWeek
    return day


def _supplier_sales_by_period(scope: Q, supplier_id: int, date_from: date, date_to: date, period: str) -> list[dict[str, Any]]:
    """A supplier's whole sales per day / week / month without its ~50,000 shop rows a year: one
    ``PartyDailySales`` row a day (POs, GMV, refunds, commission) and the SKU rollup's units and
    amounts per day; by month, the whole months come from ``MonthlySales`` (a row per reseller and
    month) and only the days at either end from the day rows, as the sales by reseller do."""
    months = whole_months(date_from, date_to) if period == "month" else None
    days = Q(day__gte=date_from, day__lte=date_to)
    if months:
        first, end = months
        days = Q(day__gte=date_from, day__lt=first) | Q(day__gte=end, day__lte=date_to)
    rows: dict[date, dict[str, Any]] = {}

    def add(bucket: date, values: dict[str, Any]) -> None:
        row = rows.setdefault(bucket, {"bucket": bucket, "pos": 0, "gmv": ZERO, "refunds": ZERO, "commission": ZERO,
                                       "units": 0, "supply": ZERO, "retail": ZERO})  # fmt: skip
        for k, v in values.items():
            row[k] += v

    if months:
        monthly = MonthlySales.objects.filter(scope, month__gte=months[0], month__lt=months[1]).values("month")
        for r in monthly.annotate(**SALES_SUMS, **SKU_SUMS).order_by():
            add(r.pop("month"), r)
    if not months or date_from < months[0] or months[1] <= date_to:
        party = PartyDailySales.objects.filter(days, role="supplier", party_id=supplier_id)
        for r in party.values("day", "pos", "gmv", "refunds", "commission").order_by():
            add(_bucket(r.pop("day"), period), r)
        for r in DailySkuSales.objects.filter(scope & days).values("day").annotate(**SKU_SUMS).order_by():
            add(_bucket(r.pop("day"), period), r)
    return [_with_net(rows[b]) for b in sorted(rows)]


def totals(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
    return {k: sum((r.get(k) or 0) for r in rows) for k in keys}


def service_by_reseller(*, supplier_id: int, date_from: date, date_to: date, reseller_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Refund, dispute and late-shipment rates and time to ship per reseller (R13, R14), with findings."""
    from resellers.models import InspectionFinding

    qs = _range(DailySales.objects.filter(supplier_id=supplier_id), date_from, date_to)
    findings = InspectionFinding.objects.filter(
        supplier_id=supplier_id, found_at__gte=_start(date_from), found_at__lt=_start(date_to + timedelta(days=1))
    )
    if reseller_ids is not None:
        qs = qs.filter(reseller_id__in=reseller_ids)
        findings = findings.filter(reseller_id__in=reseller_ids)
    found = dict(findings.values("reseller_id").annotate(n=Count("id")).order_by().values_list("reseller_id", "n"))
    rows = []
    for r in qs.values("reseller_id").annotate(
        pos=Sum("pos"), refunded=Sum("refunded_pos"), partial=Sum("partially_refunded_pos"), disputed=Sum("disputed_pos"),
        shipped=Sum("shipped_pos"), late=Sum("late_pos"), ship_seconds=Sum("ship_seconds"), refunds=Sum("refunds"), gmv=Sum("gmv"),
    ).order_by():  # fmt: skip
        rows.append(
            {
                "reseller_id": r["reseller_id"],
                "pos": r["pos"],
                "refund_rate": rate(r["refunded"] + r["partial"], r["pos"]),
                "refund_share": rate(r["refunds"], r["gmv"]),
                "dispute_rate": rate(r["disputed"], r["pos"]),
                "late_rate": rate(r["late"], r["pos"]),
                "ship_hours": average_hours(r["ship_seconds"], r["shipped"]),
                "findings": found.pop(r["reseller_id"], 0),
            }
        )
    for reseller_id, n in found.items():  # findings of resellers without sales in the period
        rows.append({"reseller_id": reseller_id, "pos": 0, "refund_rate": None, "refund_share": None, "dispute_rate": None,
                     "late_rate": None, "ship_hours": None, "findings": n})  # fmt: skip
    return sorted(rows, key=lambda r: (-r["pos"], r["reseller_id"]))


def stock_cover(*, supplier_id: int, today: date, limit: int = 200) -> list[dict[str, Any]]:
    """Days of stock at the last 28 days' sales rate per SKU that sold, fewest days first."""
    from suppliers.models import SKU

    since = today - timedelta(days=STOCK_WINDOW_DAYS)
    sold = dict(
        DailySkuSales.objects.filter(supplier_id=supplier_id, day__gt=since, day__lte=today)
        .values("sku_id").annotate(units=Sum("units")).order_by().values_list("sku_id", "units")
    )  # fmt: skip
    skus = SKU.objects.filter(pk__in=list(sold), product__supplier_id=supplier_id).values(
        "pk", "code", "product__title", "on_hand", "reserved"
    )
    rows = []
    for s in skus:
        available = max(s["on_hand"] - s["reserved"], 0)
        per_day = Decimal(sold[s["pk"]]) / STOCK_WINDOW_DAYS
        cover = (Decimal(available) / per_day).quantize(Decimal("0.1")) if per_day else None
        rows.append({"sku_id": s["pk"], "code": s["code"], "title": s["product__title"], "available": available,
                     "units": sold[s["pk"]], "per_day": per_day.quantize(Decimal("0.01")), "cover_days": cover,
                     "running_out": cover is not None and cover < RUNNING_OUT_DAYS})  # fmt: skip
    rows.sort(key=lambda r: (r["cover_days"] if r["cover_days"] is not None else Decimal("1e9"), r["code"]))
    return rows[:limit]


def _start(day: date) -> datetime:
    """Midnight of ``day`` in the platform's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def purchase_orders_by_status(*, reseller_id: int, date_from: date, date_to: date, supplier_id: int | None = None) -> list[dict[str, Any]]:
    """The reseller's POs placed in the period, counted by their status now."""
    from procurement.models import PurchaseOrder

    qs = PurchaseOrder.objects.filter(
        reseller_id=reseller_id, placed_at__gte=_start(date_from), placed_at__lt=_start(date_to + timedelta(days=1))
    )
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    labels = dict(PurchaseOrder.Status.choices)
    counts = dict(qs.values("status").annotate(n=Count("id")).order_by().values_list("status", "n"))
    return [{"status": labels[s], "pos": counts[s]} for s in PurchaseOrder.Status.values if counts.get(s)]


def compliance_record(*, reseller_id: int, date_from: date, date_to: date) -> dict[str, Any]:
    """The reseller's own record: inspection findings by supplier and kind, and penalties, in the period."""
    from accounts.models import Penalty
    from resellers.models import InspectionFinding

    start, end = _start(date_from), _start(date_to + timedelta(days=1))
    kinds = dict(InspectionFinding.Kind.choices)
    findings = [
        {"supplier_id": r["supplier_id"], "kind": kinds.get(r["kind"], r["kind"]), "findings": r["n"], "open": r["open"]}
        for r in InspectionFinding.objects.filter(reseller_id=reseller_id, found_at__gte=start, found_at__lt=end)
        .values("supplier_id", "kind").annotate(n=Count("id"), open=Count("id", filter=Q(resolved_at__isnull=True)))
        .order_by("supplier_id", "kind")
    ]  # fmt: skip
    penalties = list(
        Penalty.objects.filter(organisation_id=reseller_id, starts_at__gte=start, starts_at__lt=end)
        .order_by("-starts_at").values("rule", "sanction", "description", "starts_at", "ends_at", "revoked_at")[:200]
    )  # fmt: skip
    sanctions = dict(Penalty.Sanction.choices)
    for p in penalties:
        p["sanction"] = sanctions.get(p["sanction"], p["sanction"])
    return {"findings": findings, "penalties": penalties}


# --- platform (staff) --------------------------------------------------------------------------


def platform_sales(*, date_from: date, date_to: date, period: str = "day") -> list[dict[str, Any]]:
    """The platform's POs, GMV, refunds and commission per period (one row a day: ``PlatformDailySales``)."""
    qs = _range(PlatformDailySales.objects.all(), date_from, date_to).annotate(bucket=_period_expr(period))
    rows = [_with_net(dict(r)) for r in qs.values("bucket").annotate(**SALES_SUMS).order_by()]
    return sorted(rows, key=lambda r: r["bucket"])


def top_parties(*, role: str, date_from: date, date_to: date, limit: int = TOP) -> list[dict[str, Any]]:
    """The suppliers or resellers with the largest GMV in the period, with their POs: the whole months
    inside the period from ``PartyMonthlySales``, the days at either end from ``PartyDailySales``."""
    months = whole_months(date_from, date_to)
    if months is None:  # no whole month: days only, and an empty month range
        after = date_to + timedelta(days=1)
        edges, first_month, end_month = (date_from, after, after, date_to), after, after
    else:
        first_month, end_month = months
        edges = (date_from, first_month, end_month, date_to)
    with connections[router.db_for_read(PartyDailySales)].cursor() as cursor:  # the replica when configured
        cursor.execute(
            "SELECT party_id, SUM(gmv), SUM(pos) FROM ("
            "SELECT party_id, gmv, pos FROM reports_partydailysales "
            "WHERE role = %s AND ((day >= %s AND day < %s) OR (day >= %s AND day <= %s)) "
            "UNION ALL SELECT party_id, gmv, pos FROM reports_partymonthlysales WHERE role = %s AND month >= %s AND month < %s"
            ") p GROUP BY party_id ORDER BY 2 DESC, party_id LIMIT %s",
            [role, *edges, role, first_month, end_month, limit],
        )
        return [{f"{role}_id": pid, "gmv": gmv, "pos": pos} for pid, gmv, pos in cursor.fetchall()]


AGES = [(0, 3), (3, 7), (7, 14), (14, 30), (30, None)]


def _by_age(qs, *, now: datetime) -> list[tuple[int, int | None, int]]:
    """(from days, to days, count) of ``qs`` by the age of its ``opened_at``: one aggregate."""
    buckets = {}
    for low, high in AGES:
        cond = Q(opened_at__lte=now - timedelta(days=low))
        if high is not None:
            cond &= Q(opened_at__gt=now - timedelta(days=high))
        buckets[f"b{low}"] = Count("id", filter=cond)
    counts = qs.aggregate(**buckets)
    return [(low, high, counts[f"b{low}"]) for low, high in AGES]


def platform_overview(*, date_from: date, date_to: date, now: datetime) -> dict[str, Any]:
    """Escrow outstanding, wallets, open disputes and after-sales by age, the top parties.

    Every figure reads a small table or an indexed live set: escrow from ``PlatformDailySales``
    (the POs still held, by their payment day), the top lists from the party rollups, wallets
    from the ledger's accounts, disputes and after-sales from their open states only.
    """
    from accounts.models import Organisation
    from aftersales.models import AfterSale
    from disputes.models import Dispute
    from settlement.models import Account

    escrow = PlatformDailySales.objects.aggregate(amount=Coalesce(Sum("escrow_amount"), ZERO), pos=Coalesce(Sum("escrow_pos"), 0))
    wallets = {
        r["organisation__kind"]: r
        for r in Account.objects.filter(kind=Account.Kind.WALLET)
        .values("organisation__kind").annotate(n=Count("id"), balance=Coalesce(Sum("balance_amount"), ZERO)).order_by()
    }  # fmt: skip
    top_suppliers = top_parties(role="supplier", date_from=date_from, date_to=date_to)
    top_resellers = top_parties(role="reseller", date_from=date_from, date_to=date_to)
    names = names_of(Organisation, [r["supplier_id"] for r in top_suppliers] + [r["reseller_id"] for r in top_resellers])
    for r in top_suppliers:
        r["name"] = names.get(r["supplier_id"], "")
    for r in top_resellers:
        r["name"] = names.get(r["reseller_id"], "")
    return {
        "escrow": escrow,
        "wallets": wallets,
        "disputes_by_age": _by_age(Dispute.objects.filter(status__in=list(Dispute.OPEN_STATUSES)), now=now),
        "after_sales_by_age": _by_age(AfterSale.objects.filter(status__in=list(AfterSale.OPEN_STATES)), now=now),
        "top_suppliers": top_suppliers,
        "top_resellers": top_resellers,
    }


def names_of(model, ids, field_name: str = "name") -> dict[int, str]:
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", field_name))


def timer_backlog() -> list[dict[str, Any]]:
    """Each registered sweep's backlog after its last finished run (``core.SweepRun``): one query, the
    latest run of each sweep read through the (sweep, started_at) index, however long the history."""
    from distribution.core import sweeps
    from distribution.core.models import SweepRun

    names = sorted(sweeps.registered_sweeps())
    latest = [SweepRun.objects.filter(sweep=name, finished_at__isnull=False).order_by("-started_at", "-id")[:1] for name in names]
    last = {run.sweep: run for run in (latest[0].union(*latest[1:], all=True) if len(latest) > 1 else latest[0])} if latest else {}
    rows = []
    for name in names:
        run = last.get(name)
        rows.append({"name": name, "backlog": run.backlog_after if run else None, "at": run.finished_at if run else None,
                     "failed": run.failed if run else None})  # fmt: skip
    return rows
