
import pytest

from accounts.models import Notification
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from suppliers.models import Partnership, PartnershipApplication
from suppliers.services import partnerships as svc
from tests.concurrency import race
from tests.suppliers.factories import PartnershipFactory, SupplierFactory, TierFactory
from tests.suppliers.factories_partners import ApplicationFactory, RecruitmentPostFactory
from tests.suppliers.partners_helpers import celery_eager, fast_hasher, member_of, reseller_with_member, supplier_with_member  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]


def test_reseller_applies_to_an_open_post_and_the_supplier_managers_are_notified(reseller_member):
    user, reseller = reseller_member
    supplier_owner, supplier = supplier_with_member()
    staff = member_of(supplier, role="staff")
    post = RecruitmentPostFactory(supplier=supplier, accepted_channel_types=["c_store"])

    application = svc.application_submit(actor=user, reseller=reseller, supplier=supplier, post=post, message="  你好 ")

    assert application.status == PartnershipApplication.Status.PENDING
    assert application.message == "你好"
    assert application.post == post
    assert Notification.objects.filter(user=supplier_owner, kind="application.received").exists()
    assert not Notification.objects.filter(user=staff).exists()
    assert AuditEvent.objects.filter(action="application.submitted").exists()


def test_reseller_may_apply_directly_without_a_post(reseller_member):
    user, reseller = reseller_member
    application = svc.application_submit(actor=user, reseller=reseller, supplier=SupplierFactory(), message="hi")
    assert application.post is None


def test_channel_type_not_accepted_is_refused_naming_the_accepted_types(reseller_member):
    user, reseller = reseller_member  # a C-store
    post = RecruitmentPostFactory(accepted_channel_types=["mall_store", "offline_wholesale"])

    with pytest.raises(ValidationFailed) as exc:
        svc.application_submit(actor=user, reseller=reseller, supplier=post.supplier, post=post, message="")

    assert "Tmall/mall store" in exc.value.message and "Offline wholesale" in exc.value.message
    assert exc.value.code == "channel_type_not_accepted"
    assert not PartnershipApplication.objects.exists()


def test_closed_post_is_refused(reseller_member):
    user, reseller = reseller_member
    post = RecruitmentPostFactory(is_open=False)
    with pytest.raises(InvalidState, match="closed"):
        svc.application_submit(actor=user, reseller=reseller, supplier=post.supplier, post=post, message="")


def test_inactive_supplier_is_refused(reseller_member):
    user, reseller = reseller_member
    with pytest.raises(InvalidState):
        svc.application_submit(actor=user, reseller=reseller, supplier=SupplierFactory(suspended=True), message="")


def test_applying_while_a_live_partnership_exists_is_refused(reseller_member):
    user, reseller = reseller_member
    partnership = PartnershipFactory(reseller=reseller, status=Partnership.Status.TERMINATION_PENDING)
    with pytest.raises(InvalidState, match="already have a partnership"):
        svc.application_submit(actor=user, reseller=reseller, supplier=partnership.supplier, message="")


def test_applying_again_after_a_terminated_partnership_is_allowed(reseller_member):
    user, reseller = reseller_member
    partnership = PartnershipFactory(reseller=reseller, status=Partnership.Status.TERMINATED)
    assert svc.application_submit(actor=user, reseller=reseller, supplier=partnership.supplier, message="")


def test_a_second_pending_application_is_refused(reseller_member):
    user, reseller = reseller_member
    supplier = SupplierFactory()
    svc.application_submit(actor=user, reseller=reseller, supplier=supplier, message="")
    with pytest.raises(InvalidState, match="pending application"):
        svc.application_submit(actor=user, reseller=reseller, supplier=supplier, message="")
    assert PartnershipApplication.objects.count() == 1


def test_reseller_staff_role_may_not_apply():
    _owner, reseller = reseller_with_member()
    staff = member_of(reseller, role="staff")
    with pytest.raises(PermissionDenied):
        svc.application_submit(actor=staff, reseller=reseller, supplier=SupplierFactory(), message="")


def test_approve_creates_the_partnership_with_tier_and_key_account_manager_and_tells_the_reseller(supplier_member):
    user, supplier = supplier_member
    reseller_owner, reseller = reseller_with_member()
    application = ApplicationFactory(supplier=supplier, reseller=reseller)
    tier = TierFactory(supplier=supplier, name="金牌")
    kam = member_of(supplier, role="staff")

    partnership = svc.application_approve(actor=user, application=application, tier=tier, key_account_manager=kam)

    application.refresh_from_db()
    assert application.status == PartnershipApplication.Status.APPROVED
    assert application.partnership == partnership and application.decided_by == user
    assert (partnership.status, partnership.tier, partnership.key_account_manager) == (Partnership.Status.ACTIVE, tier, kam)
    assert Notification.objects.filter(user=reseller_owner, kind="application.approved").exists()
    assert AuditEvent.objects.filter(action="partnership.started", object_id=str(partnership.pk)).exists()


def test_key_account_manager_must_be_a_member_of_the_supplier(supplier_member):
    user, supplier = supplier_member
    application = ApplicationFactory(supplier=supplier)
    outsider = member_of(SupplierFactory(), role="manager")
    with pytest.raises(ValidationFailed) as exc:
        svc.application_approve(actor=user, application=application, tier=TierFactory(supplier=supplier), key_account_manager=outsider)
    assert exc.value.field == "key_account_manager"


def test_approve_with_another_suppliers_tier_is_refused(supplier_member):
    user, supplier = supplier_member
    application = ApplicationFactory(supplier=supplier)
    with pytest.raises(ValidationFailed):
        svc.application_approve(actor=user, application=application, tier=TierFactory())


def test_a_supplier_cannot_decide_another_suppliers_application(supplier_member):
    user, _supplier = supplier_member
    application = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        svc.application_approve(actor=user, application=application, tier=TierFactory(supplier=application.supplier))
    with pytest.raises(PermissionDenied):
        svc.application_reject(actor=user, application=application, reason="no")


def test_approving_twice_is_refused_as_already_decided(supplier_member):
    user, supplier = supplier_member
    application = ApplicationFactory(supplier=supplier)
    tier = TierFactory(supplier=supplier)
    svc.application_approve(actor=user, application=application, tier=tier)
    with pytest.raises(InvalidState, match="already decided"):
        svc.application_approve(actor=user, application=application, tier=tier)
    assert Partnership.objects.count() == 1


def test_approve_when_a_live_partnership_exists_gives_a_clear_error(supplier_member):
    user, supplier = supplier_member
    application = ApplicationFactory(supplier=supplier)
    PartnershipFactory(supplier=supplier, reseller=application.reseller)
    with pytest.raises(InvalidState, match="already has a live partnership"):
        svc.application_approve(actor=user, application=application, tier=TierFactory(supplier=supplier))
    application.refresh_from_db()
    assert application.status == PartnershipApplication.Status.PENDING


def test_reject_requires_a_reason_and_tells_the_reseller(supplier_member):
    user, supplier = supplier_member
    reseller_owner, reseller = reseller_with_member()
    application = ApplicationFactory(supplier=supplier, reseller=reseller)
    with pytest.raises(ValidationFailed):
        svc.application_reject(actor=user, application=application, reason="  ")

    svc.application_reject(actor=user, application=application, reason="渠道不符")

    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (PartnershipApplication.Status.REJECTED, "渠道不符")
    note = Notification.objects.get(user=reseller_owner, kind="application.rejected")
    assert note.body == "渠道不符"


def test_reseller_withdraws_its_pending_application(reseller_member):
    user, reseller = reseller_member
    application = ApplicationFactory(reseller=reseller)
    svc.application_withdraw(actor=user, application=application)
    application.refresh_from_db()
    assert application.status == PartnershipApplication.Status.WITHDRAWN


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_make_exactly_one_partnership():
    user, supplier = supplier_with_member()
    application = ApplicationFactory(supplier=supplier)
    tier = TierFactory(supplier=supplier)

    outcomes = race([lambda: svc.application_approve(actor=user, application=application, tier=tier)] * 2)

    assert sorted(o.code for o in outcomes) == ["already_decided", "ok"]
    assert Partnership.objects.filter(supplier=supplier).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_withdraw_racing_approve_leaves_exactly_one_decision():
    supplier_user, supplier = supplier_with_member()
    reseller_user, reseller = reseller_with_member()
    application = ApplicationFactory(supplier=supplier, reseller=reseller)
    tier = TierFactory(supplier=supplier)

    outcomes = race([
        lambda: svc.application_approve(actor=supplier_user, application=application, tier=tier),
        lambda: svc.application_withdraw(actor=reseller_user, application=application),
    ])

    assert sorted(o.code for o in outcomes) == ["already_decided", "ok"]
    application.refresh_from_db()
    partnerships = Partnership.objects.filter(supplier=supplier).count()
    assert (application.status, partnerships) in {("approved", 1), ("withdrawn", 0)}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_application_makes_one_pending_application():
    user, reseller = reseller_with_member()
    supplier = SupplierFactory()

    outcomes = race([lambda: svc.application_submit(actor=user, reseller=reseller, supplier=supplier, message="hi")] * 2)

    assert sorted(o.code for o in outcomes) == ["application_pending", "ok"]
    assert PartnershipApplication.objects.filter(supplier=supplier, reseller=reseller).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_row_lock_both_approvals_get_past_the_state_check():
    """Shows the race the lock prevents: unlocked, both approvals see "pending"; only the
    one-live-partnership constraint then stops the second (so it is a real safety net too)."""
    import time
    from unittest import mock

    user, supplier = supplier_with_member()
    application = ApplicationFactory(supplier=supplier)
    tier = TierFactory(supplier=supplier)

    def unlocked(pk):
        app = PartnershipApplication.objects.select_related("supplier__organisation", "reseller__organisation").get(pk=pk)
        if app.status != PartnershipApplication.Status.PENDING:
            raise InvalidState(code="already_decided")
        time.sleep(0.3)  # both threads are now past the check
        return app

    with mock.patch.object(svc, "_lock_pending_application", unlocked):
        outcomes = race([lambda: svc.application_approve(actor=user, application=application, tier=tier)] * 2)

    assert sorted(o.code for o in outcomes) == ["already_partnered", "ok"]
    assert Partnership.objects.filter(supplier=supplier).count() == 1
