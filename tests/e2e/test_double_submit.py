"""Journey: a real double click on the PO form, and a resubmit after going back, create exactly one PO
(issue 13). The submit button is disabled on submit (UX); the one-time form token is the guarantee,
so one test takes the button guard away and double-clicks anyway."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procurement.models import PurchaseOrder
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import fill_consumer_address, login, url
from tests.procurement.factories import make_trade

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PLACE_PATH = "/purchase-orders/new/"


def _fill_the_po_form(page, live_server, trade, ref: str) -> None:
    page.goto(url(live_server, f"{PLACE_PATH}?sku={trade.sku.pk}"))
    expect(page.locator("#lines tr")).to_have_count(1)
    fill_consumer_address(page)
    page.fill("#id_consumer_order_ref", ref)


@pytest.fixture
def trade(db):
    return make_trade(funds="1000.00", on_hand=20)


def _placed_one_po(page, live_server) -> PurchaseOrder:
    page.wait_for_url(lambda u: "/purchase-orders/PO" in u)
    page.wait_for_load_state("networkidle")
    po = PurchaseOrder.objects.get()  # exactly one
    expect(page).to_have_url(url(live_server, f"/purchase-orders/{po.number}/"))
    return po


def test_a_double_click_on_place_creates_one_po(page, live_server, trade):
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    _fill_the_po_form(page, live_server, trade, "TB-DBL-1")
    page.get_by_role("button", name="Place purchase order").dblclick()
    po = _placed_one_po(page, live_server)
    trade.sku.refresh_from_db()
    assert trade.sku.reserved == po.lines.get().quantity == 1


def test_the_same_form_sent_twice_at_once_creates_one_po_and_both_answers_show_it(page, live_server, trade):
    # Chromium folds a fast double click into one navigation; a slow network or an impatient user
    # does not. Send the rendered form twice at once from the page, as two clicks on a slow line do.
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    _fill_the_po_form(page, live_server, trade, "TB-DBL-2")
    landed = page.evaluate(
        """async () => {
            const form = document.querySelector('#place-form');
            const send = () => fetch(form.action, {method: 'POST', body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((a) => [a.status, new URL(a.url).pathname]);
        }"""
    )
    po = PurchaseOrder.objects.get()  # exactly one
    assert landed == [[200, f"/purchase-orders/{po.number}/"]] * 2


def test_going_back_and_sending_the_form_again_asks_before_a_second_po(page, live_server, trade):
    # Playwright's chromium keeps no back/forward cache, so going back fetches the form again (a new
    # token; the browser restores the typed consumer order number, the user types the address again):
    # the consumer order number catches it. (A page restored from the cache keeps its old token, which
    # sends the user to the first PO.)
    login(page, live_server, trade.reseller_user.email, DEFAULT_PASSWORD)
    _fill_the_po_form(page, live_server, trade, "TB-DBL-3")
    page.get_by_role("button", name="Place purchase order").click()
    po = _placed_one_po(page, live_server)

    page.go_back()
    expect(page.locator("#id_consumer_order_ref")).to_have_value("TB-DBL-3")
    fill_consumer_address(page)
    page.get_by_role("button", name="Place purchase order").click()
    expect(page.locator("#duplicate-warning")).to_contain_text(f"You already placed {po.number} for consumer order TB-DBL-3.")
    assert PurchaseOrder.objects.count() == 1
    # the user decides it is a second order after all
    page.get_by_role("button", name="Place it anyway").click()
    page.wait_for_url(lambda u: "/purchase-orders/PO" in u and po.number not in u)
    assert PurchaseOrder.objects.count() == 2
