"""Browser journey (issue 22): two browsers on one thread exchange messages live — each sees the
other's message appear without reloading, and the navbar's unread badge counts a new thread.
The favicon is served (no 404 in the console on a first page load)."""

import pytest
from playwright.sync_api import expect

from suppliers.models import MessageThread
from suppliers.views import messaging as messaging_views
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.suppliers.factories import PartnershipFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_two_browsers_exchange_messages_without_reloading(page, phone_page, live_server, supplier_member, reseller_member, monkeypatch):
    monkeypatch.setattr(messaging_views, "THREAD_POLL_SECONDS", 1)
    supplier_user, supplier = supplier_member
    reseller_user, reseller = reseller_member
    PartnershipFactory(supplier=supplier, reseller=reseller)

    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    login(page, live_server, reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/messages/new/"))  # the bare link: a choice of partners, not a 404
    page.get_by_test_id("thread-pick").get_by_role("link", name=supplier.company_name).click()
    page.get_by_label("Subject").fill("發貨時間")
    page.get_by_label("Message").fill("請問何時發貨？")
    page.get_by_role("button", name="Send").click()
    thread = MessageThread.objects.get()
    page.wait_for_url(url(live_server, f"/messages/{thread.pk}/"))
    assert not failed, failed

    login(phone_page, live_server, supplier_user.email, DEFAULT_PASSWORD)
    phone_page.goto(url(live_server, f"/messages/{thread.pk}/"))
    expect(phone_page.get_by_text("請問何時發貨？")).to_be_visible()
    phone_page.get_by_label("Message").fill("明天上午發貨")
    phone_page.get_by_role("button", name="Reply").click()

    # the reseller's open page shows the reply without a reload
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    expect(page.locator("#thread-messages").get_by_text("明天上午發貨")).to_be_visible(timeout=20_000)
    page.get_by_label("Message").fill("好的，謝謝")
    page.get_by_role("button", name="Reply").click()
    expect(phone_page.locator("#thread-messages").get_by_text("好的，謝謝")).to_be_visible(timeout=20_000)
    assert navigations == [url(live_server, f"/messages/{thread.pk}/")]  # the reseller's own reply only
    expect(phone_page.locator("#thread-messages [data-message-id]")).to_have_count(3)
