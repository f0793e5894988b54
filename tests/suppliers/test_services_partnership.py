from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification, Penalty
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from suppliers.models import Message, MessageThread, Partnership, Side
from suppliers.services import partnerships as svc
from tests.suppliers.factories import PartnershipFactory, TierFactory
from tests.suppliers.partners_helpers import celery_eager, fast_hasher, member_of, reseller_with_member, supplier_with_member  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]

NOW = timezone.make_aware(timezone.datetime(2026, 3, 1, 10, 0))


@pytest.fixture
def pair():
    supplier_user, supplier = supplier_with_member()
    reseller_user, reseller = reseller_with_member()
    partnership = PartnershipFactory(supplier=supplier, reseller=reseller, started_at=NOW - timedelta(days=30))
    return supplier_user, reseller_user, partnership


def fetch(partnership):
    return Partnership.objects.get(pk=partnership.pk)


def test_notice_of_exactly_ten_days_is_accepted(pair):
    supplier_user, _r, partnership = pair
    ends_at = NOW + timedelta(days=10)

    svc.partnership_give_notice(actor=supplier_user, partnership=partnership, reason="價格違規", ends_at=ends_at, now=NOW)

    p = fetch(partnership)
    assert (p.status, p.ends_at, p.notice_given_at) == (Partnership.Status.TERMINATION_PENDING, ends_at, NOW)
    assert p.termination_reason == "價格違規"


def test_notice_one_minute_short_of_ten_days_is_refused_naming_the_earliest_date(pair):
    supplier_user, _r, partnership = pair

    with pytest.raises(ValidationFailed) as exc:
        svc.partnership_give_notice(
            actor=supplier_user, partnership=partnership, reason="x", ends_at=NOW + timedelta(days=10) - timedelta(minutes=1), now=NOW
        )

    assert exc.value.field == "ends_at"
    assert "2026" in exc.value.message and "11" in exc.value.message  # 11 March 2026, the earliest allowed
    assert fetch(partnership).status == Partnership.Status.ACTIVE


def test_notice_needs_a_reason(pair):
    supplier_user, _r, partnership = pair
    with pytest.raises(ValidationFailed):
        svc.partnership_give_notice(actor=supplier_user, partnership=partnership, reason=" ", ends_at=NOW + timedelta(days=20), now=NOW)


def test_notice_tells_the_reseller_by_site_message_notification_and_email_after_commit(pair, django_capture_on_commit_callbacks):
    supplier_user, reseller_user, partnership = pair

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        svc.partnership_give_notice(
            actor=supplier_user, partnership=partnership, reason="價格違規", ends_at=NOW + timedelta(days=12), now=NOW
        )
    assert mail.outbox == []  # nothing leaves before commit

    for callback in callbacks:
        callback()

    thread = MessageThread.objects.get(supplier=partnership.supplier, reseller=partnership.reseller)
    message = Message.objects.get(thread=thread)
    assert message.sender_side == Side.SUPPLIER and "價格違規" in message.body
    assert thread.is_unread_for(Side.RESELLER)
    assert Notification.objects.filter(user=reseller_user, kind="partnership.termination_notice").exists()
    notice_mails = [m for m in mail.outbox if reseller_user.email in m.to and "termination" in m.subject.lower()]
    assert len(notice_mails) == 1 and "價格違規" in notice_mails[0].body
    assert AuditEvent.objects.filter(action="partnership.notice_given", object_id=str(partnership.pk)).exists()


def test_notice_on_a_pending_or_terminated_partnership_is_refused(pair):
    supplier_user, _r, partnership = pair
    svc.partnership_give_notice(actor=supplier_user, partnership=partnership, reason="x", ends_at=NOW + timedelta(days=10), now=NOW)
    with pytest.raises(InvalidState):
        svc.partnership_give_notice(actor=supplier_user, partnership=partnership, reason="x", ends_at=NOW + timedelta(days=11), now=NOW)


def test_another_supplier_cannot_give_notice(pair):
    _s, _r, partnership = pair
    other_user, _other = supplier_with_member()
    with pytest.raises(PermissionDenied):
        svc.partnership_give_notice(actor=other_user, partnership=partnership, reason="x", ends_at=NOW + timedelta(days=10), now=NOW)


def test_supplier_staff_role_cannot_give_notice(pair):
    _s, _r, partnership = pair
    staff = member_of(partnership.supplier, role="staff")
    with pytest.raises(PermissionDenied):
        svc.partnership_give_notice(actor=staff, partnership=partnership, reason="x", ends_at=NOW + timedelta(days=10), now=NOW)


def test_supplier_withdraws_a_pending_notice(pair):
    supplier_user, reseller_user, partnership = pair
    svc.partnership_give_notice(actor=supplier_user, partnership=partnership, reason="x", ends_at=NOW + timedelta(days=10), now=NOW)

    svc.partnership_withdraw_notice(actor=supplier_user, partnership=partnership, now=NOW)

    p = fetch(partnership)
    assert (p.status, p.ends_at, p.termination_reason) == (Partnership.Status.ACTIVE, None, "")
    assert Notification.objects.filter(user=reseller_user, kind="partnership.notice_withdrawn").exists()
    assert AuditEvent.objects.filter(action="partnership.notice_withdrawn").exists()
    with pytest.raises(InvalidState):
        svc.partnership_withdraw_notice(actor=supplier_user, partnership=partnership, now=NOW)


def test_immediate_end_is_refused_without_an_active_penalty(pair):
    supplier_user, _r, partnership = pair
    Penalty.objects.create(
        organisation=partnership.reseller.organisation, rule="R7", description="expired", starts_at=NOW - timedelta(days=10), ends_at=NOW
    )
    with pytest.raises(InvalidState) as exc:
        svc.partnership_end_now_for_penalty(actor=supplier_user, partnership=partnership, reason="x", now=NOW)
    assert exc.value.code == "no_active_penalty"
    assert fetch(partnership).status == Partnership.Status.ACTIVE


def test_immediate_end_is_allowed_while_the_reseller_has_an_active_penalty(pair):
    supplier_user, _r, partnership = pair
    Penalty.objects.create(
        organisation=partnership.reseller.organisation, rule="R7", description="亂價", starts_at=NOW - timedelta(days=1), ends_at=None
    )

    with mock.patch("resellers.services.store_list_on_partnership_ended") as hook:
        svc.partnership_end_now_for_penalty(actor=supplier_user, partnership=partnership, reason="受平台處罰", now=NOW)

    p = fetch(partnership)
    assert (p.status, p.terminated_at, p.terminated_by) == (Partnership.Status.TERMINATED, NOW, "supplier")
    hook.assert_called_once()
    assert hook.call_args.kwargs["partnership"].pk == partnership.pk
    assert AuditEvent.objects.filter(action="partnership.ended_for_penalty").exists()


def test_a_revoked_penalty_does_not_allow_immediate_end(pair):
    supplier_user, _r, partnership = pair
    Penalty.objects.create(
        organisation=partnership.reseller.organisation, rule="R7", description="x", starts_at=NOW - timedelta(days=1), revoked_at=NOW
    )
    with pytest.raises(InvalidState):
        svc.partnership_end_now_for_penalty(actor=supplier_user, partnership=partnership, reason="x", now=NOW)


def test_reseller_ends_the_partnership_itself_immediately(pair, django_capture_on_commit_callbacks):
    supplier_user, reseller_user, partnership = pair

    with django_capture_on_commit_callbacks(execute=True):
        svc.partnership_end_by_reseller(actor=reseller_user, partnership=partnership, reason="不再經營", now=NOW)

    p = fetch(partnership)
    assert (p.status, p.terminated_by, p.termination_reason) == (Partnership.Status.TERMINATED, "reseller", "不再經營")
    assert Notification.objects.filter(user=supplier_user, kind="partnership.terminated").exists()
    assert any(supplier_user.email in m.to for m in mail.outbox)
    with pytest.raises(InvalidState, match="already ended"):
        svc.partnership_end_by_reseller(actor=reseller_user, partnership=partnership, reason="again", now=NOW)


def test_another_reseller_cannot_end_the_partnership(pair):
    _s, _r, partnership = pair
    other_user, _other = reseller_with_member()
    with pytest.raises(PermissionDenied):
        svc.partnership_end_by_reseller(actor=other_user, partnership=partnership, reason="x", now=NOW)


def test_staff_end_requires_platform_staff(pair):
    supplier_user, _r, partnership = pair
    with pytest.raises(PermissionDenied):
        svc.partnership_end_by_staff(actor=supplier_user, partnership=partnership, reason="x", now=NOW)


def test_change_tier_and_key_account_manager_is_audited_and_tells_the_reseller_of_the_tier(pair):
    supplier_user, reseller_user, partnership = pair
    gold = TierFactory(supplier=partnership.supplier, name="金牌")
    kam = member_of(partnership.supplier, role="manager")

    svc.partnership_change(actor=supplier_user, partnership=partnership, tier=gold, key_account_manager=kam)

    p = fetch(partnership)
    assert (p.tier, p.key_account_manager) == (gold, kam)
    event = AuditEvent.objects.get(action="partnership.changed")
    assert set(event.data) == {"tier", "key_account_manager"}
    assert Notification.objects.filter(user=reseller_user, kind="partnership.tier_changed").exists()


def test_change_with_another_suppliers_tier_is_refused(pair):
    supplier_user, _r, partnership = pair
    with pytest.raises(ValidationFailed):
        svc.partnership_change(actor=supplier_user, partnership=partnership, tier=TierFactory())
