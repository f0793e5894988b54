"""Every report figure against the hand-computed history (tests/reports/conftest.py), as a user reads it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from procurement.models import PurchaseOrder
from reports import rollup
from suppliers.models import SKU
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.procurement.factories import make_trade

from .conftest import at

NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


@pytest.fixture
def built(history):
    rollup.rebuild()
    return history


def login(client, user):
    client.force_login(user)
    return client


def rows_of(response) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in response.context["table"]}


def test_supplier_sales_by_reseller_by_day_across_midnight_and_exports(client, built, django_assert_max_num_queries):
    login(client, built.s.supplier_user)
    url = reverse("reports:supplier_sales")
    with django_assert_max_num_queries(12):
        response = client.get(url, {**NOVEMBER, "group": "reseller"})
    assert response.status_code == 200
    table = rows_of(response)
    r1, r2 = built.r1.organisation.name, built.r2.organisation.name
    # POs, units, GMV, refunded, net, commission
    assert table[r1] == ["2", "2", "150.00", "50.00", "100.00", "5.00"]
    assert table[r2] == ["1", "3", "150.00", "30.00", "120.00", "6.00"]
    assert response.context["footer"][1:] == ["3", "5", "300.00", "80.00", "220.00", "11.00"]
    assert response.context["chart"]["labels"] == [r1, r2] or response.context["chart"]["labels"] == [r2, r1]

    # 11-03 only: po2 was paid at 00:30 +08:00 (16:30 UTC on 11-02) and counts on 11-03, po1 (23:30 on 11-02) does not
    response = client.get(url, {"date_from": "2026-11-03", "date_to": "2026-11-03", "group": "period"})
    [(label, *cells)] = response.context["table"]
    assert cells == ["2", "3", "200.00", "80.00", "120.00", "6.00"]

    response = client.get(url, {**NOVEMBER, "group": "sku"})
    assert sorted(r[1:] for r in response.context["table"]) == [["2", "100.00"], ["3", "150.00"]]

    csv = b"".join(client.get(url, {**NOVEMBER, "group": "reseller", "export": "csv"}).streaming_content).decode("utf-8-sig")
    assert f"{r1},2,2,150.00,50.00,100.00,5.00" in csv.replace("\r", "")
    xlsx = client.get(url, {**NOVEMBER, "group": "reseller", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values[r2] == (1, 3, "150.00", "30.00", "120.00", "6.00")


def test_sales_by_reseller_add_whole_months_and_the_days_at_either_end(client, built):
    login(client, built.s.supplier_user)
    url = reverse("reports:supplier_sales")
    r1, r2 = built.r1.organisation.name, built.r2.organisation.name
    # October whole (nothing sold) + 11-01..11-02: po1 alone (2 units, 100.00, commission 5.00)
    table = rows_of(client.get(url, {"date_from": "2026-10-01", "date_to": "2026-11-02", "group": "reseller"}))
    assert table == {r1: ["1", "2", "100.00", "0.00", "100.00", "5.00"]}
    # 11-03..11-30 from the day rows + December whole: po2 refunded in full (no units), po3 partly refunded
    table = rows_of(client.get(url, {"date_from": "2026-11-03", "date_to": "2026-12-31", "group": "reseller"}))
    assert table == {r1: ["1", "0", "50.00", "50.00", "0.00", "0.00"], r2: ["1", "3", "150.00", "30.00", "120.00", "6.00"]}


def test_numbers_follow_the_readers_language(client, built):
    from reports.models import DailySales

    DailySales.objects.filter(supplier_id=built.s.supplier.pk, reseller_id=built.r1.pk).update(gmv=Decimal("1234567.50"), refunds=0)
    login(client, built.s.supplier_user)
    client.cookies["django_language"] = "en"
    days = {"date_from": "2026-11-02", "date_to": "2026-11-29"}  # no whole month: the day rows just changed are read
    page = client.get(reverse("reports:supplier_sales"), {**days, "group": "reseller"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2,469,135.00" in page  # two days × 1,234,567.50


def test_supplier_service_rates_and_time_to_ship(client, built, django_assert_max_num_queries):
    login(client, built.s.supplier_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:supplier_service"), NOVEMBER)
    table = rows_of(response)
    # POs, refund rate, refunded share of GMV, dispute rate, late rate, hours to ship, findings
    assert table[built.r1.organisation.name] == ["2", "50.0%", "33.3%", "0.0%", "0.0%", "12.0", "0"]
    assert table[built.r2.organisation.name] == ["1", "100.0%", "20.0%", "100.0%", "100.0%", "72.0", "0"]


def test_stock_cover_names_the_skus_about_to_run_out(client, built, django_assert_max_num_queries):
    sku3 = built.po3.lines.get().sku
    SKU.objects.filter(pk=sku3.pk).update(on_hand=1)  # 1 left at 3 units / 28 days: 9.3 days
    login(client, built.s.supplier_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:supplier_stock"), {"date_to": "2026-11-08"})
    table = {r[0]: r[1:] for r in response.context["table"]}
    sku1 = built.po1.lines.get().sku
    # available = on hand 98 − 1 reserved by the unpaid po4; 2 units in 28 days
    assert table[sku1.code][1:] == ["97", "2", "0.07", "1,358.0"]
    assert table[sku3.code][1:] == ["1", "3", "0.11", "9.3"]
    assert [r["code"] for r in response.context["extra"]["running_out"]] == [sku3.code]
    assert list(table)[0] == sku3.code


def test_reseller_spend_margin_and_pos_by_status(client, built, django_assert_max_num_queries):
    login(client, built.s.reseller_user)
    url = reverse("reports:reseller_spend")
    with django_assert_max_num_queries(14):
        response = client.get(url, {**NOVEMBER, "group": "supplier"})
    # POs, units, spend, refunded, retail, supply, margin (retail − supply of what was not refunded in full)
    assert rows_of(response)[built.s.supplier.organisation.name] == ["2", "2", "150.00", "50.00", "198.00", "100.00", "98.00"]
    statuses = {r["status"]: r["pos"] for r in response.context["extra"]["by_status"]}
    status = PurchaseOrder.Status
    assert statuses == {str(status.COMPLETED.label): 1, str(status.REFUNDED.label): 1, str(status.AWAITING_PAYMENT.label): 1}
    # the other reseller's spend is its own
    login(client, built.po3.reseller.organisation.memberships.first().user)
    response = client.get(url, {**NOVEMBER, "group": "sku"})
    assert [r[1:] for r in response.context["table"]] == [["3", "150.00", "297.00", "147.00"]]


def test_reseller_compliance_record(client, built):
    from accounts.models import Penalty

    with time_machine.travel(at(2026, 11, 5, 10, 0), tick=False):
        Penalty.objects.create(organisation=built.r1.organisation, rule="R7", description="價格超出範圍", sanction=Penalty.Sanction.WARNING)
    login(client, built.s.reseller_user)
    response = client.get(reverse("reports:reseller_compliance"), NOVEMBER)
    assert response.status_code == 200
    assert "價格超出範圍" in response.content.decode()


def test_platform_report_for_staff_only(client, built, django_assert_max_num_queries):
    staff = UserFactory(is_staff=True)
    login(client, staff)
    url = reverse("reports:platform")
    with django_assert_max_num_queries(30):
        response = client.get(url, NOVEMBER)
    assert response.status_code == 200
    assert response.context["footer"][1:] == ["3", "300.00", "80.00", "220.00", "11.00"]
    extra = response.context["extra"]
    assert extra["escrow"]["amount"] == Decimal("0.00")  # po4 is unpaid; every paid PO is settled
    assert [r["gmv"] for r in extra["top_suppliers"]] == [Decimal("300.00")]
    login(client, built.s.supplier_user)
    assert client.get(url).status_code == 302  # to the admin login


def test_other_organisations_see_nothing_of_it(client, built):
    other = make_trade()
    login(client, other.supplier_user)
    response = client.get(reverse("reports:supplier_sales"), {**NOVEMBER, "group": "reseller", "reseller": built.r1.pk})
    assert response.context["table"] == []
    response = client.get(reverse("reports:supplier_service"), NOVEMBER)
    assert response.context["table"] == []
    login(client, other.reseller_user)
    assert client.get(reverse("reports:supplier_sales")).status_code == 403
    response = client.get(reverse("reports:reseller_spend"), {**NOVEMBER, "supplier": built.s.supplier.pk})
    assert response.context["table"] == []


def test_bad_filters_name_the_field_and_fall_back(client, built):
    login(client, built.s.supplier_user)
    response = client.get(
        reverse("reports:supplier_sales"), {"date_from": "2026-11-30", "date_to": "2026-11-01", "group": "nope", "reseller": "x"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "date_to" in form.errors and "group" in form.errors and "reseller" in form.errors


def test_a_staff_member_who_is_a_key_account_manager_sees_only_their_accounts(client, built):
    member = MembershipFactory(organisation=built.s.supplier.organisation, role="staff").user
    built.s.partnership.key_account_manager = member
    built.s.partnership.save()
    login(client, member)
    response = client.get(reverse("reports:supplier_sales"), {**NOVEMBER, "group": "reseller"})
    assert list(rows_of(response)) == [built.r1.organisation.name]
    # an owner sees every reseller, or only the accounts they manage with "my accounts"
    login(client, built.s.supplier_user)
    assert len(client.get(reverse("reports:supplier_sales"), {**NOVEMBER, "group": "reseller"}).context["table"]) == 2
    assert client.get(reverse("reports:supplier_sales"), {**NOVEMBER, "group": "reseller", "mine": "on"}).context["table"] == []


def _finding(listing, *, kind: str, found_at, resolved_at=None):
    from resellers.models import InspectionFinding

    return InspectionFinding.objects.create(
        reseller_id=listing.reseller_id, supplier_id=listing.supplier_id, listing=listing, kind=kind, found_at=found_at,
        resolved_at=resolved_at,
    )  # fmt: skip


def test_inspection_findings_per_reseller_and_in_the_resellers_own_record(client, built, django_assert_max_num_queries):
    """R2: two findings in November (one resolved), one on 12-01 00:10 +08:00 (16:10 UTC on 11-30: December's);
    R1: none. The supplier's service table and R2's compliance record count the same findings."""
    from resellers.services import PublishItem, store_listing_publish

    s = built.s.supplier
    r2_user = built.po3.reseller.organisation.memberships.first().user
    [listing] = store_listing_publish(
        actor=r2_user, reseller=built.r2, items=[PublishItem(sku_id=built.po3.lines.get().sku_id, price="99.00")]
    )
    _finding(listing, kind="price_out_of_range", found_at=at(2026, 11, 9, 9, 0), resolved_at=at(2026, 11, 10, 9, 0))
    _finding(listing, kind="location_mismatch", found_at=at(2026, 11, 30, 23, 50))
    _finding(listing, kind="delisted_sku", found_at=at(2026, 12, 1, 0, 10))
    login(client, built.s.supplier_user)
    table = rows_of(client.get(reverse("reports:supplier_service"), NOVEMBER))
    assert table[built.r2.organisation.name][-1] == "2"
    assert table[built.r1.organisation.name][-1] == "0"

    login(client, r2_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:reseller_compliance"), NOVEMBER)
    kinds = dict(InspectionFindingKinds())
    # supplier, kind, findings, still open
    assert sorted(r[1:] for r in response.context["table"]) == sorted(
        [[kinds["location_mismatch"], "1", "1"], [kinds["price_out_of_range"], "1", "0"]]
    )
    assert {r[0] for r in response.context["table"]} == {s.organisation.name}
    # R1 has none of R2's
    login(client, built.s.reseller_user)
    assert client.get(reverse("reports:reseller_compliance"), NOVEMBER).context["table"] == []


def InspectionFindingKinds():  # noqa: N802 (the labels as the page shows them)
    from resellers.models import InspectionFinding

    return [(k, str(label)) for k, label in InspectionFinding.Kind.choices]


def test_reseller_spend_by_shop_and_by_month_for_one_supplier(client, built):
    """po1 and po2 have no shop (R1's), so they count under "No shop"; the month row is November's."""
    login(client, built.s.reseller_user)
    url = reverse("reports:reseller_spend")
    response = client.get(url, {**NOVEMBER, "group": "shop"})
    # POs, units, spend, refunded, retail, supply, margin
    assert [r[1:] for r in response.context["table"]] == [["2", "2", "150.00", "50.00", "198.00", "100.00", "98.00"]]
    response = client.get(url, {"date_from": "2026-10-01", "date_to": "2026-12-31", "group": "period", "period": "month",
                                "supplier": built.s.supplier.pk})  # fmt: skip
    assert [r[1:] for r in response.context["table"]] == [["2", "2", "150.00", "50.00", "198.00", "100.00", "98.00"]]
    other = make_trade()
    response = client.get(url, {**NOVEMBER, "group": "period", "supplier": other.supplier.pk})
    assert response.context["table"] == []


def test_stock_compliance_and_digest_pages_of_one_organisation_show_nothing_of_another(client, built):
    from accounts.models import Penalty

    with time_machine.travel(at(2026, 11, 5, 10, 0), tick=False):
        Penalty.objects.create(organisation=built.r1.organisation, rule="R7", description="價格超出範圍", sanction=Penalty.Sanction.WARNING)
    other = make_trade()
    login(client, other.supplier_user)
    stock = client.get(reverse("reports:supplier_stock"), {"date_to": "2026-11-08"})
    assert stock.status_code == 200 and stock.context["table"] == []
    with time_machine.travel(at(2026, 11, 10, 9, 0), tick=False):
        page = client.get(reverse("reports:digest"), {"week": "2026-11-02"})
    assert page.status_code == 200
    content = page.context["content"]
    assert content["sales"] == [] and content["disputes"] == [] and content["penalties"] == []
    assert built.r1.organisation.name not in page.content.decode() and built.r2.organisation.name not in page.content.decode()
    login(client, other.reseller_user)
    compliance = client.get(reverse("reports:reseller_compliance"), NOVEMBER)
    assert compliance.context["table"] == [] and compliance.context["extra"]["penalties"] == []
    assert "價格超出範圍" not in compliance.content.decode()
    # a reseller's member cannot open a supplier's pages, a supplier's member not a reseller's
    assert client.get(reverse("reports:supplier_stock")).status_code == 403
    assert client.get(reverse("reports:digest")).status_code == 403
    login(client, other.supplier_user)
    assert client.get(reverse("reports:reseller_compliance")).status_code == 403


def test_supplier_sales_by_week_and_by_month_whole_months_and_edge_days(client, built, django_assert_max_num_queries):
    """A supplier's whole sales by period read its one-row-a-day and monthly rollups: the same
    figures as the day rows (po1 paid 11-02 23:30, po2 and po3 on 11-03, +08:00; 2026-11-02 is a Monday)."""
    login(client, built.s.supplier_user)
    url = reverse("reports:supplier_sales")
    november = ["3", "5", "300.00", "80.00", "220.00", "11.00"]  # POs, units, GMV, refunded, net, commission
    with django_assert_max_num_queries(12):
        response = client.get(url, {"date_from": "2026-10-26", "date_to": "2026-11-15", "group": "period", "period": "week"})
    assert [r[1:] for r in response.context["table"]] == [november]
    for days in ({"date_from": "2026-10-15", "date_to": "2026-11-30"},  # November whole (the monthly rows)
                 {"date_from": "2026-11-02", "date_to": "2026-12-31"}):  # November's days, December whole (empty)  # fmt: skip
        with django_assert_max_num_queries(12):
            response = client.get(url, {**days, "group": "period", "period": "month"})
        assert [r[1:] for r in response.context["table"]] == [november], days
    # 11-03 to 11-30: po1 (11-02) is left out
    response = client.get(url, {"date_from": "2026-11-03", "date_to": "2026-11-30", "group": "period", "period": "month"})
    assert [r[1:] for r in response.context["table"]] == [["2", "3", "200.00", "80.00", "120.00", "6.00"]]
    assert response.context["footer"][1:] == ["2", "3", "200.00", "80.00", "120.00", "6.00"]


@pytest.mark.parametrize(
    ("who", "name", "params", "budget"),
    [
        ("supplier", "reports:supplier_sales", {"group": "shop"}, 13),
        ("supplier", "reports:supplier_sales", {"group": "sku"}, 12),
        ("supplier", "reports:supplier_sales", {"group": "period", "period": "week", "mine": "on"}, 14),
        ("supplier", "reports:supplier_sales", {"group": "reseller", "export": "xlsx"}, 11),
        ("supplier", "reports:supplier_sales", {"group": "shop", "export": "csv"}, 11),
        ("supplier", "reports:digest", {"week": "2026-11-02"}, 18),
        ("reseller", "reports:reseller_spend", {"group": "period", "export": "xlsx"}, 13),
        ("reseller", "reports:reseller_compliance", {}, 12),
        ("staff", "reports:platform", {"period": "month"}, 14),
    ],
)
def test_every_page_and_export_has_a_statement_budget(client, built, django_assert_max_num_queries, who, name, params, budget):
    """The budgets of the 1,000,000-PO benchmark (benchmarks/README.md §11c): a page's statements do not grow with the data."""
    user = {"supplier": built.s.supplier_user, "reseller": built.s.reseller_user}.get(who) or UserFactory(is_staff=True)
    login(client, user)
    client.get(reverse(name), {**NOVEMBER, **params})  # the session's first read
    with django_assert_max_num_queries(budget):
        response = client.get(reverse(name), {**NOVEMBER, **params})
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
