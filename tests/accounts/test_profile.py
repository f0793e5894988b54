"""Company profile editing after signup (R2, issue 22): legal fields wait for staff review (the live
values stay until approved), the rest apply at once; audited; owners and managers only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import profile
from accounts.models import Notification, ProfileChange
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.suppliers.factories import SupplierFactory, make_credit_code

pytestmark = pytest.mark.django_db

URL = "/organisation/profile/"


def supplier_post(supplier, **changes):
    data = {name: getattr(supplier, name) for name in supplier.PROFILE_FIELDS}
    data.update(changes)
    return data


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_contact_fields_apply_at_once_and_are_audited(client, supplier_member):
    user, supplier = supplier_member
    client.force_login(user)

    response = client.post(URL, supplier_post(supplier, contact_name="李主任", phone="13900139000", address="上海市黃浦區南京東路1號"))

    assert response.status_code == 302
    supplier.refresh_from_db()
    assert (supplier.contact_name, supplier.phone, supplier.address) == ("李主任", "139 0013 9000", "上海市黃浦區南京東路1號")
    assert not ProfileChange.objects.exists()
    event = AuditEvent.objects.get(action="profile.updated")
    assert event.actor == user and event.organisation_id == supplier.pk
    assert event.data["contact_name"] == {"from": "王經理", "to": "李主任"}


def test_legal_fields_wait_for_staff_and_the_live_values_stay(client, supplier_member, staff_user):
    user, supplier = supplier_member
    old_name, old_code, new_code = supplier.company_name, supplier.credit_code, make_credit_code(777_001)
    client.force_login(user)

    client.post(URL, supplier_post(supplier, company_name="新名稱有限公司", credit_code=new_code.lower(), contact_name="李主任"))

    supplier.refresh_from_db()
    assert (supplier.company_name, supplier.credit_code) == (old_name, old_code)  # still the approved values
    assert supplier.contact_name == "李主任"  # not a legal field: at once
    change = ProfileChange.objects.get()
    assert change.status == "pending" and change.changes["credit_code"] == {"from": old_code, "to": new_code}
    page = client.get(URL).content.decode()
    assert "新名稱有限公司" in page and "Withdraw this change" in page
    assert AuditEvent.objects.filter(action="profile.change_requested", organisation_id=supplier.pk).exists()

    profile.profile_change_approve(actor=staff_user, change=change)

    supplier.refresh_from_db()
    supplier.organisation.refresh_from_db()
    assert (supplier.company_name, supplier.credit_code) == ("新名稱有限公司", new_code)
    assert supplier.organisation.name == "新名稱有限公司"
    assert AuditEvent.objects.filter(action="profile.change_approved", actor=staff_user).exists()
    note = Notification.objects.get(user=user, kind="profile_change.approved")
    assert note.display_title == "Your company profile change was approved" and new_code in note.display_body


def test_a_second_edit_replaces_the_pending_change(supplier_member):
    user, supplier = supplier_member
    profile.profile_update(actor=user, organisation=supplier.organisation, data={"company_name": "甲公司"})
    profile.profile_update(actor=user, organisation=supplier.organisation, data={"company_name": "乙公司"})
    change = ProfileChange.objects.get()
    assert change.changes == {"company_name": {"from": supplier.company_name, "to": "乙公司"}}


def test_rejection_keeps_the_profile_and_tells_the_managers(client, supplier_member, staff_user):
    user, supplier = supplier_member
    change = profile.profile_update(actor=user, organisation=supplier.organisation, data={"company_name": "甲公司"})

    profile.profile_change_reject(actor=staff_user, change=change, reason="營業執照上的名稱不同")

    supplier.refresh_from_db()
    assert supplier.company_name != "甲公司"
    assert Notification.objects.get(user=user, kind="profile_change.rejected").display_body == "營業執照上的名稱不同"
    client.force_login(user)
    assert "營業執照上的名稱不同" in client.get(URL).content.decode()
    with pytest.raises(InvalidState):
        profile.profile_change_approve(actor=staff_user, change=change)


def test_staff_approve_in_admin(client, supplier_member, staff_user):
    user, supplier = supplier_member
    change = profile.profile_update(actor=user, organisation=supplier.organisation, data={"company_name": "甲公司"})
    client.force_login(staff_user)
    listing = client.get(reverse("admin:accounts_profilechange_changelist")).content.decode()
    assert "甲公司" in listing

    client.post(reverse("admin:accounts_profilechange_changelist"), {"action": "approve", "_selected_action": [change.pk]})

    supplier.refresh_from_db()
    assert supplier.company_name == "甲公司"


def test_a_credit_code_of_another_supplier_or_with_a_bad_checksum_is_refused(client, supplier_member):
    user, supplier = supplier_member
    other = SupplierFactory()
    client.force_login(user)

    response = client.post(URL, supplier_post(supplier, credit_code=other.credit_code))
    assert response.status_code == 400 and "already registered" in response.content.decode()
    bad_checksum = supplier.credit_code[:-1] + ("0" if supplier.credit_code[-1] != "0" else "1")
    response = client.post(URL, supplier_post(supplier, credit_code=bad_checksum))
    assert response.status_code == 400
    assert not ProfileChange.objects.exists()


def test_a_required_field_left_blank_is_named(client, supplier_member):
    user, supplier = supplier_member
    client.force_login(user)
    response = client.post(URL, supplier_post(supplier, contact_name=""))
    assert response.status_code == 400
    assert 'data-field-error="contact_name"' in response.content.decode()


def test_reseller_business_name_waits_and_store_applies(client, reseller_member):
    user, reseller = reseller_member
    client.force_login(user)
    data = {name: getattr(reseller, name) for name in reseller.PROFILE_FIELDS}
    data.update(name="新店有限公司", store_name="新店名", store_url="shop.example.test")

    assert client.post(URL, data).status_code == 302

    reseller.refresh_from_db()
    assert reseller.store_name == "新店名" and reseller.store_url == "https://shop.example.test"
    assert reseller.name != "新店有限公司"
    assert ProfileChange.objects.get().changes["name"]["to"] == "新店有限公司"


def test_staff_members_may_not_edit(client, supplier_member):
    _, supplier = supplier_member
    clerk = MembershipFactory(organisation=supplier.organisation, role="staff").user
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.post(URL, supplier_post(supplier, contact_name="x")).status_code == 403
    with pytest.raises(PermissionDenied):
        profile.profile_update(actor=clerk, organisation=supplier.organisation, data={"contact_name": "x"})


def test_another_organisation_cannot_withdraw_or_see_a_change(client, supplier_member):
    user, supplier = supplier_member
    change = profile.profile_update(actor=user, organisation=supplier.organisation, data={"company_name": "甲公司"})
    stranger_supplier = SupplierFactory()
    stranger = MembershipFactory(organisation=stranger_supplier.organisation, role="owner").user
    client.force_login(stranger)

    assert client.post(reverse("accounts:profile_change_withdraw", args=[change.pk])).status_code == 404
    assert "甲公司" not in client.get(URL).content.decode()
    change.refresh_from_db()
    assert change.status == "pending"

    client.force_login(user)
    client.post(reverse("accounts:profile_change_withdraw", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == "withdrawn"


def test_unknown_fields_are_refused(supplier_member):
    user, supplier = supplier_member
    with pytest.raises(ValidationFailed):
        profile.profile_update(actor=user, organisation=supplier.organisation, data={"commission_rate": "0.4"})
