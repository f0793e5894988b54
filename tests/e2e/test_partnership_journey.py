"""Browser journey (issue 3): a reseller applies to a supplier's recruitment post, the supplier
approves with a tier, then gives a 10-day termination notice; the reseller sees it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from suppliers.models import Partnership
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.e2e.conftest import login, url
from tests.suppliers.factories import TierFactory
from tests.suppliers.factories_partners import RecruitmentPostFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reseller_applies_supplier_approves_with_a_tier_then_gives_ten_days_notice(
    page, context, live_server, supplier_member, reseller_member
):
    supplier_user, supplier = supplier_member
    reseller_user, reseller = reseller_member
    TierFactory(supplier=supplier, name="普通", position=0)
    TierFactory(supplier=supplier, name="金牌", position=2)
    post = RecruitmentPostFactory(supplier=supplier, title="誠招淘寶C店分銷商", accepted_channel_types=["c_store"])

    # The reseller finds the post and applies.
    login(page, live_server, reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/recruitment/"))
    page.get_by_role("link", name=post.title).click()
    page.get_by_label("Message to the supplier").fill("我們的淘寶店月銷三千單，想代理貴司產品。")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text(f"Your application was sent to {supplier.company_name}.")).to_be_visible()
    expect(page.get_by_role("cell", name="Pending")).to_be_visible()

    # The supplier approves it with the 金牌 tier.
    context.clear_cookies()
    login(page, live_server, supplier_user.email, DEFAULT_PASSWORD)
    page.locator(".navbar").get_by_role("button", name=re.compile("Resellers")).click()  # the nav groups them
    page.get_by_role("link", name="Applications").first.click()
    page.get_by_role("link", name=reseller.name).click()
    page.get_by_label("Tier").select_option(label="金牌")
    page.get_by_role("button", name="Approve and start the partnership").click()
    expect(page.get_by_text(f"Approved: {reseller.name} is now your partner.")).to_be_visible()

    # Then gives notice: 10 days ahead (plus a few minutes for the time the form takes).
    page.locator(".navbar").get_by_role("button", name=re.compile("Resellers")).click()  # the nav groups them
    page.get_by_role("link", name="Partnerships").first.click()
    page.get_by_role("link", name=reseller.name).click()
    ends_at = timezone.localtime(timezone.now() + timedelta(days=10, minutes=5))
    page.get_by_label("Reason").first.fill("多次低於最低零售價銷售")
    page.get_by_label("Partnership ends at").fill(ends_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Give notice").click()
    expect(page.get_by_text("Notice given.")).to_be_visible()
    expect(page.get_by_text("Termination pending")).to_be_visible()

    partnership = Partnership.objects.get(supplier=supplier, reseller=reseller)
    assert partnership.status == Partnership.Status.TERMINATION_PENDING
    assert partnership.tier.name == "金牌"
    assert partnership.ends_at >= partnership.notice_given_at + timedelta(days=10)

    # The reseller sees the notice on its suppliers page and an unread site message.
    context.clear_cookies()
    login(page, live_server, reseller_user.email, DEFAULT_PASSWORD)
    page.goto(url(live_server, "/partnerships/"))
    expect(page.get_by_text("多次低於最低零售價銷售")).to_be_visible()
    expect(page.get_by_test_id("unread-threads")).to_have_text("1")
