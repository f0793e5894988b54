"""First journey: a visitor signs up as a reseller in the browser and lands on the reseller home."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import AgreementAcceptance
from resellers.models import Reseller
from tests.e2e.conftest import login, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_signs_up_as_reseller_accepts_agreement_and_lands_on_reseller_home(page, live_server, agreement):
    # given a visitor on the landing page
    page.goto(url(live_server, "/"))
    page.click("#signup-reseller")
    expect(page.locator("#agreement-text")).to_contain_text("七日內未付款")

    # when they fill in the form, first forgetting the agreement
    page.fill("#id_email", "journey@shop.test")
    page.fill("#id_password1", "Journey-pass-2026")
    page.fill("#id_password2", "Journey-pass-2026")
    page.fill("#id_name", "旅程網店")
    page.select_option("#id_channel_type", "own_web_shop")
    page.fill("#id_store_name", "旅程小舖")
    page.fill("#id_store_url", "https://journey.example.test/")
    page.fill("#id_contact_name", "陳先生")
    page.fill("#id_contact_phone", "13700137000")
    page.click("#signup-submit")

    # then the page asks for the agreement, keeping what they typed
    expect(page.locator("[data-field-error=accept_agreement]")).to_be_visible()
    expect(page.locator("#id_store_name")).to_have_value("旅程小舖")

    # when they fill the passwords again, tick the box and submit
    page.fill("#id_password1", "Journey-pass-2026")
    page.fill("#id_password2", "Journey-pass-2026")
    page.check("#id_accept_agreement")
    page.click("#signup-submit")

    # then they land on the reseller home page
    page.wait_for_url(url(live_server, "/home/"))
    expect(page.get_by_role("heading", name="旅程網店")).to_be_visible()
    expect(page.locator("body")).to_contain_text("旅程小舖")
    reseller = Reseller.objects.get(store_name="旅程小舖")
    assert reseller.channel_type == "own_web_shop"
    assert AgreementAcceptance.objects.filter(user__email="journey@shop.test", version=agreement).exists()


def test_demo_style_login_and_logout_work_in_the_browser(page, live_server, reseller_member):
    from tests.accounts.factories import DEFAULT_PASSWORD

    user, reseller = reseller_member
    login(page, live_server, user.email, DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name=reseller.organisation.name)).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.click("#logout-button")
    page.wait_for_url(lambda u: u.rstrip("/") == live_server.url or "/accounts/logout" in u)


def test_member_accepts_a_newly_published_agreement_before_going_on(page, live_server, supplier_member, agreement):
    from django.utils import timezone

    from accounts.services import agreement_accept
    from tests.accounts.factories import DEFAULT_PASSWORD, AgreementVersionFactory

    user, supplier = supplier_member
    agreement_accept(user=user, version=agreement, ip_address="127.0.0.1")
    v2 = AgreementVersionFactory(version="2.0", supplier_text="第二版：供應商須於十日前書面通知。", published_at=timezone.now())

    login(page, live_server, user.email, DEFAULT_PASSWORD)

    expect(page.locator("#agreement-text")).to_contain_text("第二版")
    page.get_by_role("button", name="Accept and continue").click()
    expect(page.locator("[data-field-error=accept]")).to_be_visible()
    page.check("#id_accept")
    page.get_by_role("button", name="Accept and continue").click()
    page.wait_for_url(url(live_server, "/home/"))
    expect(page.get_by_role("heading", name=supplier.organisation.name)).to_be_visible()
    assert AgreementAcceptance.objects.filter(user=user, version=v2).exists()
