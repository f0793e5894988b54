"""Report pages: filters, a chart, the table under it, CSV/XLSX export (``?export=csv|xlsx``).

Each view turns the filters into a :class:`~reports.selectors.Report`; the template and the
exports read the same rows, so what is downloaded is what is shown. The figures come from the
daily rollups (``reports.rollup``); these views are listed in ``DATABASE_REPLICA_VIEWS``.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import dateformat, formats, numberformat, timezone
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from distribution.core.csv_stream import csv_lines, xlsx_row
from distribution.core.money import format_money
from distribution.core.permissions import ResellerMemberMixin, SupplierMemberMixin

from . import digest, selectors
from .forms import ReportFilterForm
from .selectors import Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMN_LABELS = {
    "label": gettext_lazy("Name"),
    "pos": gettext_lazy("POs"),
    "units": gettext_lazy("Units"),
    "gmv": gettext_lazy("GMV"),
    "refunds": gettext_lazy("Refunded"),
    "net": gettext_lazy("Net sales"),
    "commission": gettext_lazy("Commission"),
    "supply": gettext_lazy("Supply amount"),
    "retail": gettext_lazy("Retail amount"),
    "margin": gettext_lazy("Margin"),
    "spend": gettext_lazy("Spend"),
    "refund_rate": gettext_lazy("Refund rate"),
    "refund_share": gettext_lazy("Refunded share of GMV"),
    "dispute_rate": gettext_lazy("Dispute rate"),
    "late_rate": gettext_lazy("Late-shipment rate"),
    "ship_hours": gettext_lazy("Hours to ship"),
    "findings": gettext_lazy("Inspection findings"),
    "code": gettext_lazy("SKU code"),
    "title": gettext_lazy("Product"),
    "available": gettext_lazy("Available"),
    "per_day": gettext_lazy("Sold per day"),
    "cover_days": gettext_lazy("Days of stock"),
    "status": gettext_lazy("Status"),
    "kind": gettext_lazy("Kind"),
    "open": gettext_lazy("Still open"),
}
MONEY = frozenset({"per_day", "gmv", "refunds", "net", "commission", "supply", "retail", "margin", "spend"})
PERCENT = frozenset({"refund_rate", "refund_share", "dispute_rate", "late_rate"})
DECIMAL = frozenset({"ship_hours", "cover_days"})


class _Numbers:
    """The reader's language's number format, looked up once per page: ``formats.number_format``
    looks its three settings up again for every cell (a third of a 365-row page's time)."""

    def __init__(self):
        lang = get_language()
        self.decimal = formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
        self.grouping = formats.get_format("NUMBER_GROUPING", lang, use_l10n=True)
        self.thousand = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def __call__(self, value: Any, places: int) -> str:
        # groups of three and a value with no more places than shown (the rollups' sums and rates):
        # Python's own grouping writes the same digits as ``numberformat`` (which truncates) 20× faster
        if self.grouping == 3 and (isinstance(value, int) or (isinstance(value, Decimal) and value.as_tuple().exponent >= -places)):
            text = f"{value:,.{places}f}"
            return text.translate({44: self.thousand, 46: self.decimal}) if (self.thousand, self.decimal) != (",", ".") else text
        return numberformat.format(value, self.decimal, places, self.grouping, self.thousand, force_grouping=True, use_l10n=True)


def _number(value: Any, key: str, numbers: _Numbers | None = None) -> str:
    """A cell as the reader's language writes numbers (grouping, decimal sign)."""
    if value is None:
        return "—"
    numbers = numbers or _Numbers()
    if key in MONEY:
        return numbers(value, 2)
    if key in PERCENT:
        return numbers(value, 1) + "%"
    if key in DECIMAL:
        return numbers(value, 1)
    if isinstance(value, int):
        return numbers(value, 0)
    return str(value)


def _table_body(table: list[list[str]]) -> str:
    """The table's rows as HTML in one pass: a year by day is 2,500 cells, and the template's loops
    (or ``format_html`` per cell) took ~100 ms of the page. Every cell is escaped."""
    cell = '<td class="text-end text-nowrap">'
    return mark_safe(  # noqa: S308 (every value below goes through escape)
        "".join(
            "<tr><td>" + escape(str(row[0])) + "</td>" + "".join(cell + escape(str(c)) + "</td>" for c in row[1:]) + "</tr>"
            for row in table
        )
    )


def _export_value(value: Any, key: str) -> Any:
    if value is None:
        return ""
    if key in MONEY and isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value) if not isinstance(value, int) else value


def _chart_number(value: Any) -> float | None:
    return None if value is None else float(value)


class ReportMixin:
    """Filters → report → page or export. Subclasses set ``title``, ``groups``, ``keep`` and ``build``."""

    template_name = "reports/report.html"
    title = ""
    slug = ""
    groups: list[tuple[str, Any]] = []
    keep: tuple[str, ...] = ()

    def filter_choices(self) -> dict[str, list]:
        return {}

    def build(self, values: dict[str, Any]) -> Report:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.form = ReportFilterForm(request.GET or None, groups=self.groups, keep=self.keep, choices=self.filter_choices())
        self.values = self.form.values()
        report = self.build(self.values)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(report, export)
        return self.render_to_response(self.get_context_data(report=report))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report: Report = kwargs["report"]
        numbers = _Numbers()
        ctx.update(
            title=self.title,
            form=self.form,
            values=self.values,
            headings=[str(COLUMN_LABELS[k]) for k in report.columns],
            table=(table := [[_number(row.get(k), k, numbers) for k in report.columns] for row in report.rows]),
            table_body=_table_body(table),
            numeric=[k != "label" and k not in ("code", "title", "status", "kind") for k in report.columns],
            footer=[_number(report.totals[k], k, numbers) if k in report.totals else "" for k in report.columns] if report.totals else None,
            chart=report.chart,
            extra=getattr(report, "extra", None),
        )
        return ctx

    def export(self, report: Report, kind: str):
        header = [str(COLUMN_LABELS[k]) for k in report.columns]
        rows = [[_export_value(row.get(k), k) for k in report.columns] for row in report.rows]
        name = f"{self.slug}-{self.values['date_from']:%Y%m%d}-{self.values['date_to']:%Y%m%d}"
        if kind == "csv":
            response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(self.slug[:31])
        sheet.append(xlsx_row(sheet, header))
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response


def _period_label(value: date, period: str, date_formats: dict[str, str] | None = None) -> str:
    """The period's label in the reader's language (``date_formats``: the format strings, looked up once per page)."""
    date_formats = date_formats or {}
    if period == "month":
        return dateformat.format(value, date_formats.get("YEAR_MONTH_FORMAT") or formats.get_format("YEAR_MONTH_FORMAT"))
    day = dateformat.format(value, date_formats.get("SHORT_DATE_FORMAT") or formats.get_format("SHORT_DATE_FORMAT"))
    if period == "week":
        return _("Week of %(day)s") % {"day": day}
    return day


def _label_rows(rows: list[dict[str, Any]], group: str, period: str) -> None:
    """Give each row its ``label``: the period, or the reseller's / supplier's / shop's / SKU's name."""
    from accounts.models import Organisation
    from resellers.models import Shop
    from suppliers.models import SKU

    if group == "period":
        date_formats = {name: formats.get_format(name) for name in ("YEAR_MONTH_FORMAT", "SHORT_DATE_FORMAT")}
        for r in rows:
            r["label"] = _period_label(r["bucket"], period, date_formats)
        return
    key = f"{group}_id"
    ids = [r[key] for r in rows]
    if group in ("reseller", "supplier"):
        names = selectors.names_of(Organisation, ids)
    elif group == "shop":
        names = selectors.names_of(Shop, ids)
    else:
        names = {pk: f"{code} {title}" for pk, code, title in SKU.objects.filter(pk__in=ids).values_list("pk", "code", "product__title")}
    for r in rows:
        r["label"] = names.get(r[key]) or (_("No shop") if group == "shop" else f"#{r[key]}")


def _chart(rows: list[dict[str, Any]], keys: list[str], *, kind: str = "bar", limit: int = 30) -> dict[str, Any]:
    shown = rows if kind == "line" else rows[:limit]
    return {
        "type": kind,
        "labels": [r["label"] for r in shown],
        "datasets": [{"label": str(COLUMN_LABELS[k]), "data": [_chart_number(r.get(k)) for r in shown]} for k in keys],
    }


# --- supplier --------------------------------------------------------------------------------


class SupplierReportMixin(SupplierMemberMixin, ReportMixin):
    """Owners and managers see every reseller; other members only their key accounts (``mine``)."""

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def scope_reseller_ids(self, values) -> list[int] | None:
        if values.get("mine") or not self.membership.can_manage:
            return digest.key_account_reseller_ids(self.organisation.pk, self.request.user.pk)
        return None

    def filter_choices(self):
        from suppliers.models import Partnership

        partners = (
            Partnership.objects.filter(supplier_id=self.organisation.pk)
            .order_by("reseller__name").values_list("reseller_id", "reseller__name").distinct()
        )  # fmt: skip
        return {"reseller": list(partners)}


class SupplierSalesView(SupplierReportMixin, TemplateView):
    title = gettext_lazy("Sales")
    slug = "sales"
    groups = [
        ("period", gettext_lazy("Period")),
        ("reseller", gettext_lazy("Reseller")),
        ("shop", gettext_lazy("Shop")),
        ("sku", gettext_lazy("SKU")),
    ]
    keep = ("group", "period", "reseller", "sku", "mine")

    def build(self, values):
        group = values["group"]
        rows = selectors.sales(
            supplier_id=self.organisation.pk, date_from=values["date_from"], date_to=values["date_to"], group=group,
            period=values["period"], filters={"reseller_id": values["reseller"], "sku_id": values["sku"]},
            reseller_ids=self.scope_reseller_ids(values),
        )  # fmt: skip
        _label_rows(rows, group, values["period"])
        if group == "sku" or values["sku"]:
            columns, chart_keys = ["label", "units", "supply"], ["supply"]
        else:
            columns, chart_keys = ["label", "pos", "units", "gmv", "refunds", "net", "commission"], ["gmv", "net"]
        totals = selectors.totals(rows, [c for c in columns if c != "label"])
        return Report(
            columns=columns, rows=rows, totals=totals, chart=_chart(rows, chart_keys, kind="line" if group == "period" else "bar")
        )


class SupplierServiceView(SupplierReportMixin, TemplateView):
    """Refund, dispute and late-shipment rates, time to ship and inspection findings per reseller."""

    title = gettext_lazy("Service by reseller")
    slug = "service"
    keep = ("mine",)

    def build(self, values):
        rows = selectors.service_by_reseller(
            supplier_id=self.organisation.pk, date_from=values["date_from"], date_to=values["date_to"],
            reseller_ids=self.scope_reseller_ids(values),
        )  # fmt: skip
        _label_rows(rows, "reseller", "day")
        columns = ["label", "pos", "refund_rate", "refund_share", "dispute_rate", "late_rate", "ship_hours", "findings"]
        return Report(columns=columns, rows=rows, chart=_chart(rows, ["refund_rate", "dispute_rate", "late_rate"]))


class SupplierStockView(SupplierReportMixin, TemplateView):
    """Days of stock at the recent sales rate; the SKUs about to run out first."""

    title = gettext_lazy("Stock cover")
    slug = "stock"

    def build(self, values):
        rows = selectors.stock_cover(supplier_id=self.organisation.pk, today=values["date_to"])
        for r in rows:
            r["label"] = r["code"]
        columns = ["code", "title", "available", "units", "per_day", "cover_days"]
        report = Report(columns=columns, rows=rows, chart=_chart(rows[:15], ["cover_days"]))
        report.extra = {"running_out": [r for r in rows if r["running_out"]], "window": selectors.STOCK_WINDOW_DAYS}
        return report


# --- reseller --------------------------------------------------------------------------------


class ResellerReportMixin(ResellerMemberMixin, ReportMixin):
    def filter_choices(self):
        from resellers.models import Shop
        from suppliers.models import Partnership

        suppliers = (
            Partnership.objects.filter(reseller_id=self.organisation.pk)
            .order_by("supplier__company_name").values_list("supplier_id", "supplier__company_name").distinct()
        )  # fmt: skip
        shops = Shop.objects.filter(reseller_id=self.organisation.pk).values_list("pk", "name")
        return {"supplier": list(suppliers), "shop": list(shops)}


class ResellerSpendView(ResellerReportMixin, TemplateView):
    title = gettext_lazy("Spend and margin")
    slug = "spend"
    groups = [
        ("period", gettext_lazy("Period")),
        ("supplier", gettext_lazy("Supplier")),
        ("shop", gettext_lazy("Shop")),
        ("sku", gettext_lazy("SKU")),
    ]
    keep = ("group", "period", "supplier", "shop")

    def build(self, values):
        group = values["group"]
        rows = selectors.sales(
            reseller_id=self.organisation.pk, date_from=values["date_from"], date_to=values["date_to"], group=group,
            period=values["period"], filters={"supplier_id": values["supplier"], "shop_id": values["shop"]},
        )  # fmt: skip
        _label_rows(rows, group, values["period"])
        if group == "sku":
            columns = ["label", "units", "supply", "retail", "margin"]
        else:
            for r in rows:
                r["spend"] = r["gmv"]
            columns = ["label", "pos", "units", "spend", "refunds", "retail", "supply", "margin"]
        totals = selectors.totals(rows, [c for c in columns if c != "label"])
        report = Report(
            columns=columns, rows=rows, totals=totals, chart=_chart(rows, ["supply", "margin"], kind="line" if group == "period" else "bar")
        )
        report.extra = {
            "by_status": selectors.purchase_orders_by_status(
                reseller_id=self.organisation.pk, date_from=values["date_from"], date_to=values["date_to"], supplier_id=values["supplier"]
            )
        }
        return report


class ResellerComplianceView(ResellerReportMixin, TemplateView):
    """The reseller's own record: findings by supplier and kind, and penalties."""

    title = gettext_lazy("Compliance record")
    slug = "compliance"
    template_name = "reports/compliance.html"

    def build(self, values):
        from accounts.models import Organisation

        record = selectors.compliance_record(reseller_id=self.organisation.pk, date_from=values["date_from"], date_to=values["date_to"])
        names = selectors.names_of(Organisation, [r["supplier_id"] for r in record["findings"]])
        for r in record["findings"]:
            r["label"] = names.get(r["supplier_id"], "")
        report = Report(columns=["label", "kind", "findings", "open"], rows=record["findings"])
        report.chart = _chart(record["findings"], ["findings"])
        report.extra = {"penalties": record["penalties"]}
        return report


# --- platform (staff) --------------------------------------------------------------------------


@method_decorator(staff_member_required, name="dispatch")
class PlatformReportView(ReportMixin, TemplateView):
    title = gettext_lazy("Platform")
    slug = "platform"
    template_name = "reports/platform.html"
    keep = ("period",)

    def build(self, values):
        rows = selectors.platform_sales(date_from=values["date_from"], date_to=values["date_to"], period=values["period"])
        _label_rows(rows, "period", values["period"])
        columns = ["label", "pos", "gmv", "refunds", "net", "commission"]
        report = Report(
            columns=columns, rows=rows, totals=selectors.totals(rows, columns[1:]), chart=_chart(rows, ["gmv", "commission"], kind="line")
        )
        now = timezone.now()
        report.extra = selectors.platform_overview(date_from=values["date_from"], date_to=values["date_to"], now=now)
        report.extra["timers"] = selectors.timer_backlog()
        return report


# --- the weekly digest page -----------------------------------------------------------------------


class DigestView(SupplierMemberMixin, TemplateView):
    """The weekly channel digest as a page (the same content as the email); ``?week=YYYY-MM-DD`` (a Monday)."""

    template_name = "reports/digest.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        week_start = digest.parse_week(self.request.GET.get("week"), today=timezone.localdate())
        content = digest.build(membership=self.membership, week_start=week_start, now=digest.week_end_moment(week_start))
        ctx.update(
            content=content,
            previous_week=week_start - timedelta(days=7),
            next_week=week_start + timedelta(days=7)
            if week_start + timedelta(days=7) <= digest.last_full_week(timezone.localdate())
            else None,
            opted_out=digest.is_opted_out(self.membership),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        digest.set_opt_out(membership=self.membership, opted_out=request.POST.get("opt_out") == "1")
        from django.shortcuts import redirect

        return redirect(request.get_full_path())
