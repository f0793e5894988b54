"""Celery tasks for partnerships and messaging: e-mail copies (suppliers/tasks/partnerships.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from suppliers.models import Side
from suppliers.tasks import send_message_copy, send_partnership_email
from tests.suppliers.factories import PartnershipFactory
from tests.suppliers.factories_partners import MessageFactory, ThreadFactory
from tests.suppliers.partners_helpers import member_of, reseller_with_member, supplier_with_member

pytestmark = pytest.mark.django_db


def test_message_copy_goes_to_the_other_side_only():
    supplier_user, supplier = supplier_with_member()
    colleague = member_of(supplier, role="staff")
    reseller_user, reseller = reseller_with_member()
    thread = ThreadFactory(supplier=supplier, reseller=reseller, subject="詢價")
    message = MessageFactory(thread=thread, sender_side=Side.RESELLER, body="多少錢？")

    assert send_message_copy(message.pk) == 2

    assert sorted(mail.outbox[0].to) == sorted([supplier_user.email, colleague.email])
    assert "詢價" in mail.outbox[0].subject and f"/messages/{thread.pk}/" in mail.outbox[0].body


def test_message_copy_of_a_deleted_message_does_nothing():
    assert send_message_copy(999999) == 0
    assert mail.outbox == []


def test_notice_email_names_the_end_date_and_reason():
    _su, supplier = supplier_with_member()
    reseller_user, reseller = reseller_with_member()
    partnership = PartnershipFactory(
        supplier=supplier,
        reseller=reseller,
        status="termination_pending",
        ends_at=timezone.now() + timedelta(days=10),
        termination_reason="違規",
    )
    assert send_partnership_email(partnership.pk, "notice") == 1
    assert mail.outbox[0].to == [reseller_user.email] and "違規" in mail.outbox[0].body


def test_ended_email_goes_to_both_sides():
    supplier_user, supplier = supplier_with_member()
    reseller_user, reseller = reseller_with_member()
    partnership = PartnershipFactory(supplier=supplier, reseller=reseller, status="terminated")
    assert send_partnership_email(partnership.pk, "ended") == 2
    assert set(mail.outbox[0].to) == {supplier_user.email, reseller_user.email}


def test_the_emails_are_registered_with_the_outbox_on_the_email_queue():
    from distribution.core import outbox

    topics = outbox.registered_topics()
    assert topics["suppliers.message_copy"] == "email"
    assert topics["event:suppliers.tasks_partners.on_partnership_terminating"] == "email"
    assert topics["event:suppliers.tasks_partners.on_partnership_terminated"] == "email"
