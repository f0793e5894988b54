"""Browser journey (issue 22): a supplier's owner edits the company profile after signup. The phone
number changes at once; the new company name waits for staff, who approve it in admin; then the
navbar and the profile show it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import ProfileChange
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import login, url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_owner_edits_the_profile_and_staff_approve_the_new_company_name(page, context, live_server, supplier_member):
    user, supplier = supplier_member
    old_name = supplier.company_name
    login(page, live_server, user.email, DEFAULT_PASSWORD)
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Company profile").click()

    expect(page.locator("label[for=id_company_name] .text-danger")).to_have_text("*")  # required fields are marked
    page.fill("#id_phone", "13900139000")
    page.fill("#id_company_name", "新名稱貿易有限公司")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert").filter(has_text="once platform staff approve")).to_be_visible()
    expect(page.locator("#pending-change")).to_contain_text("新名稱貿易有限公司")
    expect(page.locator("#id_company_name")).to_have_value(old_name)  # the live value until approved
    expect(page.locator("#id_phone")).to_have_value("139 0013 9000")  # at once

    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = context.browser.new_context(viewport={"width": 1280, "height": 900}, extra_http_headers={"Accept-Language": "en"})
    admin_page = admin.new_page()
    login(admin_page, live_server, staff.email, DEFAULT_PASSWORD)
    admin_page.goto(url(live_server, "/admin/accounts/profilechange/"))
    admin_page.locator("input[name=_selected_action]").first.check()
    admin_page.select_option("select[name=action]", "approve")
    admin_page.locator("button[name=index]").click()
    expect(admin_page.get_by_text("1 profile change(s) approved.")).to_be_visible()
    admin.close()

    page.reload()
    expect(page.locator("#pending-change")).to_have_count(0)
    expect(page.locator("#id_company_name")).to_have_value("新名稱貿易有限公司")
    expect(page.get_by_test_id("user-menu")).to_contain_text("新名稱貿易有限公司")
    assert ProfileChange.objects.get().status == "approved"
