import pytest

from distribution.core.errors import PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from suppliers.models import RecruitmentPost
from suppliers.services import partnerships as svc
from tests.suppliers.factories import TierFactory
from tests.suppliers.factories_partners import RecruitmentPostFactory
from tests.suppliers.partners_helpers import fast_hasher, member_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hasher")]


def test_owner_creates_a_post_with_accepted_channel_types_and_a_tier(supplier_member):
    user, supplier = supplier_member
    tier = TierFactory(supplier=supplier, name="銀牌")

    post = svc.recruitment_post_create(
        actor=user, supplier=supplier, title=" 招募 ", body="內容", accepted_channel_types=["c_store", "c_store", "mall_store"], tier=tier
    )

    assert post.title == "招募"
    assert post.accepted_channel_types == ["c_store", "mall_store"]
    assert post.is_open
    assert AuditEvent.objects.filter(action="recruitment_post.created", object_id=str(post.pk)).exists()


def test_a_post_cannot_offer_another_suppliers_tier(supplier_member):
    user, supplier = supplier_member
    with pytest.raises(ValidationFailed) as exc:
        svc.recruitment_post_create(actor=user, supplier=supplier, title="t", body="b", accepted_channel_types=[], tier=TierFactory())
    assert exc.value.field == "tier"
    assert not RecruitmentPost.objects.exists()


def test_unknown_channel_type_is_refused(supplier_member):
    user, supplier = supplier_member
    with pytest.raises(ValidationFailed, match="Unknown channel type"):
        svc.recruitment_post_create(
            actor=user, supplier=supplier, title="t", body="b", accepted_channel_types=["fax"], tier=TierFactory(supplier=supplier)
        )


def test_staff_role_may_not_create_posts(supplier_member):
    _user, supplier = supplier_member
    staff = member_of(supplier, role="staff")
    with pytest.raises(PermissionDenied):
        svc.recruitment_post_create(
            actor=staff, supplier=supplier, title="t", body="b", accepted_channel_types=[], tier=TierFactory(supplier=supplier)
        )


def test_another_suppliers_member_may_not_edit_a_post(supplier_member):
    user, _supplier = supplier_member
    post = RecruitmentPostFactory()
    with pytest.raises(PermissionDenied):
        svc.recruitment_post_set_open(actor=user, post=post, is_open=False)


def test_closing_and_opening_a_post_is_audited_and_idempotent(supplier_member):
    user, supplier = supplier_member
    post = RecruitmentPostFactory(supplier=supplier)

    svc.recruitment_post_set_open(actor=user, post=post, is_open=False)
    svc.recruitment_post_set_open(actor=user, post=post, is_open=False)
    post.refresh_from_db()

    assert post.is_open is False
    assert AuditEvent.objects.filter(action="recruitment_post.closed").count() == 1


def test_update_changes_fields(supplier_member):
    user, supplier = supplier_member
    post = RecruitmentPostFactory(supplier=supplier)
    gold = TierFactory(supplier=supplier, name="金牌")

    svc.recruitment_post_update(
        actor=user, post=post, title="新標題", body="新內容", accepted_channel_types=["own_web_shop"], tier=gold, is_open=False
    )
    post.refresh_from_db()

    assert (post.title, post.tier, post.accepted_channel_types, post.is_open) == ("新標題", gold, ["own_web_shop"], False)
