import pytest

from suppliers.demo import partnerships as demo_partnerships
from suppliers.models import MessageThread, Partnership, PartnershipApplication, RecruitmentPost, Tier
from tests.resellers.factories import ResellerFactory
from tests.suppliers.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _ctx():
    return {
        "supplier1": SupplierFactory(),
        "supplier2": SupplierFactory(),
        "reseller1": ResellerFactory(),
        "reseller2": ResellerFactory(),
    }


def _snapshot():
    return [m.objects.count() for m in (Tier, RecruitmentPost, Partnership, PartnershipApplication, MessageThread)]


def test_demo_builds_the_promised_partnerships_and_is_idempotent():
    ctx = _ctx()
    demo_partnerships.seed(ctx)
    first = _snapshot()
    demo_partnerships.seed(ctx)

    assert _snapshot() == first
    live = Partnership.objects.exclude(status="terminated")
    assert live.filter(reseller=ctx["reseller1"], status="active").count() == 2
    r2 = live.get(reseller=ctx["reseller2"])
    assert (r2.supplier, r2.status) == (ctx["supplier1"], "termination_pending")
    assert PartnershipApplication.objects.filter(supplier=ctx["supplier2"], reseller=ctx["reseller2"], status="pending").exists()
    assert set(Tier.objects.filter(supplier=ctx["supplier1"]).values_list("name", flat=True)) == {"普通", "銀牌", "金牌"}
    assert RecruitmentPost.objects.filter(is_open=True).count() >= 3
    assert MessageThread.objects.filter(messages__sender_side="supplier").distinct().count() >= 2


def test_demo_skips_missing_organisations():
    demo_partnerships.seed({"supplier1": SupplierFactory()})
    assert RecruitmentPost.objects.count() == 2
    assert not Partnership.objects.exists()
