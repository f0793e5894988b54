"""The supplier dashboard draws its products-per-status chart in the browser, at desktop and phone width."""

from __future__ import annotations

import pytest

from suppliers.models import Product
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.suppliers.factories import ProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHART_STATE = """() => {
  const chart = Chart.getChart("catalog-status-chart");
  return chart ? {values: chart.data.datasets[0].data, width: chart.canvas.clientWidth} : null;
}"""


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_supplier_home_draws_the_status_chart(request, which, live_server, supplier_member):
    page = request.getfixturevalue(which)
    user, supplier = supplier_member
    ProductFactory(supplier=supplier)
    ProductFactory(supplier=supplier, status=Product.Status.REJECTED)

    login(page, live_server, user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/home/"))
    page.wait_for_function("() => window.Chart && Chart.getChart('catalog-status-chart')")

    state = page.evaluate(CHART_STATE)
    assert state["values"] == [0, 0, 1, 1, 0]
    assert state["width"] > 200
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
