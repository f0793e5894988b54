"""The platform (staff) report: every figure against the hand-computed history, read from the
platform rollups (one row a day, a day / a month per party), and served from the read replica
when one is configured."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import services as disputes
from distribution.core.sweeps import run_sweep
from procurement import services
from reports import rollup, selectors
from tests.accounts.factories import UserFactory
from tests.aftersales.factories import completed_po, open_request
from tests.procurement.factories import place

from .conftest import at

D = Decimal
NOVEMBER = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def test_every_platform_figure(client, history, django_assert_max_num_queries):
    """On top of the history: po4 paid on 11-09 (held in escrow), a dispute opened on 11-10 and an
    after-sales request on 11-01 both still open, the page read on 11-12 at noon (+08:00)."""
    s = history.s
    with time_machine.travel(at(2026, 11, 9, 8, 0), tick=False):
        services.purchase_order_pay(actor=s.reseller_user, purchase_order=history.po4)  # ¥50.00, still held
    with time_machine.travel(at(2026, 11, 9, 9, 0), tick=False):
        po5 = place(s, quantity=1, ref="TB-5")
        services.purchase_order_pay(actor=s.reseller_user, purchase_order=po5)
        services.purchase_order_ship(actor=s.supplier_user, purchase_order=po5, carrier="SF", tracking_number="SF5")
    with time_machine.travel(at(2026, 11, 10, 12, 0), tick=False):
        disputes.dispute_open(actor=s.reseller_user, purchase_order=po5, reason="damaged", requested_amount="10.00", description="破損")
    with time_machine.travel(at(2026, 11, 1, 12, 0), tick=False):
        _trade, po6 = completed_po(s, quantity=1)  # paid 11-01: ¥50.00, released
        open_request(s, po6)
    noon = at(2026, 11, 12, 12, 0)
    with time_machine.travel(noon, tick=False):
        rollup.rebuild()
        run_sweep("report_rollups", now=noon)  # a finished run: its backlog is shown
        client.force_login(UserFactory(is_staff=True))
        with django_assert_max_num_queries(30):
            response = client.get(reverse("reports:platform"), NOVEMBER)
    assert response.status_code == 200
    # per payment day (+08:00): po2 paid 00:30 on 11-03 counts on 11-03, not 11-02
    assert [row[1:] for row in response.context["table"]] == [
        ["1", "50.00", "0.00", "50.00", "2.50"],  # 11-01 (po6)
        ["1", "100.00", "0.00", "100.00", "5.00"],  # 11-02 (po1)
        ["2", "200.00", "80.00", "120.00", "6.00"],  # 11-03 (po2 refunded, po3 partly)
        ["2", "100.00", "0.00", "100.00", "0.00"],  # 11-09 (po4 paid, po5 disputed: no commission yet)
    ]
    assert response.context["footer"][1:] == ["6", "450.00", "80.00", "370.00", "13.50"]
    extra = response.context["extra"]
    assert extra["escrow"] == {"amount": D("100.00"), "pos": 2}  # po4 (paid) and po5 (disputed)
    assert extra["disputes_by_age"] == [(0, 3, 1), (3, 7, 0), (7, 14, 0), (14, 30, 0), (30, None, 0)]
    assert extra["after_sales_by_age"] == [(0, 3, 0), (3, 7, 0), (7, 14, 1), (14, 30, 0), (30, None, 0)]
    r1, r2 = history.r1, history.r2
    assert [(r["reseller_id"], r["gmv"], r["pos"]) for r in extra["top_resellers"]] == [
        (r1.pk, D("300.00"), 5), (r2.pk, D("150.00"), 1),
    ]  # fmt: skip
    assert [(r["supplier_id"], r["gmv"], r["pos"]) for r in extra["top_suppliers"]] == [(s.supplier.pk, D("450.00"), 6)]
    timers = {t["name"]: t for t in extra["timers"]}
    assert timers["report_rollups"]["backlog"] == 0
    html = response.content.decode()
    assert 'data-testid="after-sales-by-age"' in html and "¥100.00" in html


def test_top_lists_add_whole_months_and_the_days_at_either_end(history):
    """A range of 10-15 … 12-05 adds November from the monthly rows and the edge days from the daily
    ones; the same figures as adding every day."""
    rollup.rebuild()
    for date_from, date_to in (("2026-10-15", "2026-12-05"), ("2026-11-01", "2026-11-30"), ("2026-11-03", "2026-11-03"),
                               ("2026-11-02", "2026-11-02"), ("2026-10-01", "2026-11-02")):  # fmt: skip
        f, t = date.fromisoformat(date_from), date.fromisoformat(date_to)
        by_days = selectors.sales(date_from=f, date_to=t, group="supplier")
        top = selectors.top_parties(role="supplier", date_from=f, date_to=t)
        assert [(r["supplier_id"], r["gmv"], r["pos"]) for r in top] == [(r["supplier_id"], r["gmv"], r["pos"]) for r in by_days]
    nov3 = selectors.top_parties(role="reseller", date_from=date(2026, 11, 3), date_to=date(2026, 11, 3))
    assert [(r["reseller_id"], r["gmv"]) for r in nov3] == [(history.r2.pk, D("150.00")), (history.r1.pk, D("50.00"))]


@pytest.fixture
def replica(transactional_db):
    """A ``replica`` alias: a second connection to the test database (committed data, as a standby has).

    Added after the test case was set up (which guards only the aliases it knew), and connected at
    once: the test case refuses to open a connection for an alias it does not list."""
    settings.DATABASES["replica"] = dict(settings.DATABASES["default"])
    connection = connections["replica"]
    connection.connect()
    try:
        yield connection
    finally:
        connections["replica"].close()
        del connections["replica"]
        del settings.DATABASES["replica"]


def test_report_pages_are_served_from_the_replica_when_one_is_configured(replica, client, history):
    rollup.rebuild()
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    pages = [
        (staff, reverse("reports:platform"), NOVEMBER),
        (history.s.supplier_user, reverse("reports:supplier_sales"), {**NOVEMBER, "group": "reseller"}),
        (history.s.supplier_user, reverse("reports:supplier_service"), NOVEMBER),
        (history.s.supplier_user, reverse("reports:supplier_stock"), {}),
        (history.s.supplier_user, reverse("reports:digest"), {"week": "2026-11-02"}),
        (history.s.reseller_user, reverse("reports:reseller_spend"), NOVEMBER),
        (history.s.reseller_user, reverse("reports:reseller_compliance"), NOVEMBER),
    ]
    for user, url, params in pages:
        client.force_login(user)
        client.cookies.pop("dbpin", None)
        with CaptureQueriesContext(replica) as on_replica:
            response = client.get(url, params)
        assert response.status_code == 200, url
        assert response.wsgi_request.read_from_replica, url
        tables = " ".join(q["sql"] for q in on_replica.captured_queries)
        assert "reports_" in tables or url.endswith("/compliance/"), url
    client.force_login(staff)
    response = client.get(reverse("reports:platform"), NOVEMBER)
    assert [r["gmv"] for r in response.context["extra"]["top_resellers"]] == [D("150.00"), D("150.00")]
