"""Every report page draws its chart and table in the browser, at desktop (1280 px) and phone (390 px)
width, without sideways scrolling of the page; a screenshot of each is written to
``test-results/reports/`` (kept by CI as an artifact) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from reports import rollup
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login
from tests.reports.conftest import make_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "reports"
NOVEMBER = "date_from=2026-11-01&date_to=2026-11-30"


def _check(page, name: str, path: str, *, chart: bool = True) -> None:
    page.goto(path)
    expect(page.locator("h1")).to_be_visible()
    if chart:
        page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
        assert page.evaluate("Chart.getChart('report-chart').canvas.clientWidth") > 200
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_each_report_in_the_browser(request, which, live_server):
    page = request.getfixturevalue(which)
    history = make_history()
    rollup.rebuild()
    base = live_server.url

    login(page, live_server, history.s.supplier_user.email, DEFAULT_PASSWORD)
    _check(page, "supplier-sales", f"{base}/reports/supplier/sales/?{NOVEMBER}&group=reseller")
    expect(page.get_by_test_id("report-table")).to_contain_text("150.00")
    _check(page, "supplier-sales-by-day", f"{base}/reports/supplier/sales/?{NOVEMBER}&group=period")
    _check(page, "supplier-service", f"{base}/reports/supplier/service/?{NOVEMBER}")
    expect(page.get_by_test_id("report-table")).to_contain_text("72.0")
    _check(page, "supplier-stock", f"{base}/reports/supplier/stock/?date_to=2026-11-08")
    _check(page, "digest", f"{base}/reports/digest/?week=2026-11-02", chart=False)
    expect(page.get_by_test_id("digest-sales")).to_contain_text("150.00")

    page.context.clear_cookies()
    login(page, live_server, history.s.reseller_user.email, DEFAULT_PASSWORD)
    _check(page, "reseller-spend", f"{base}/reports/reseller/spend/?{NOVEMBER}&group=supplier")
    expect(page.get_by_test_id("report-table")).to_contain_text("98.00")
    _check(page, "reseller-compliance", f"{base}/reports/reseller/compliance/?{NOVEMBER}", chart=False)

    page.context.clear_cookies()
    staff = UserFactory(is_staff=True)
    login(page, live_server, staff.email, DEFAULT_PASSWORD)
    _check(page, "platform", f"{base}/reports/platform/?{NOVEMBER}")
    expect(page.get_by_test_id("report-table")).to_contain_text("11.00")
