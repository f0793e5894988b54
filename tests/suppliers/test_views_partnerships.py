from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Penalty
from suppliers.models import Partnership, PartnershipApplication, RecruitmentPost
from tests.suppliers.factories import PartnershipFactory, TierFactory
from tests.suppliers.factories_partners import ApplicationFactory, RecruitmentPostFactory
from tests.suppliers.partners_helpers import (  # noqa: F401
    celery_eager,
    fast_hasher,
    member_of,
    reseller_with_member,
    supplier_with_member,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]


@pytest.fixture
def supplier_client(client):
    user, supplier = supplier_with_member()
    client.force_login(user)
    client.supplier, client.user = supplier, user
    return client


@pytest.fixture
def reseller_client(client):
    user, reseller = reseller_with_member()
    client.force_login(user)
    client.reseller, client.user = reseller, user
    return client


# ----------------------------------------------------------------- recruitment management


def test_supplier_creates_a_recruitment_post(supplier_client):
    tier = TierFactory(supplier=supplier_client.supplier)
    response = supplier_client.post(
        reverse("suppliers:recruitment_create"),
        {"title": "招募", "body": "內容", "accepted_channel_types": ["c_store", "mall_store"], "tier": tier.pk, "is_open": "on"},
    )
    assert response.status_code == 302
    post = RecruitmentPost.objects.get()
    assert (post.supplier, post.accepted_channel_types, post.tier) == (supplier_client.supplier, ["c_store", "mall_store"], tier)


def test_recruitment_form_offers_only_own_tiers(supplier_client):
    other_tier = TierFactory()
    response = supplier_client.post(reverse("suppliers:recruitment_create"), {"title": "t", "body": "b", "tier": other_tier.pk})
    assert response.status_code == 200 and "tier" in response.context["form"].errors
    assert not RecruitmentPost.objects.exists()


def test_supplier_cannot_edit_or_close_another_suppliers_post(supplier_client):
    post = RecruitmentPostFactory()
    assert supplier_client.get(reverse("suppliers:recruitment_edit", args=[post.pk])).status_code == 404
    assert supplier_client.post(reverse("suppliers:recruitment_toggle", args=[post.pk]), {"open": "0"}).status_code == 404
    post.refresh_from_db()
    assert post.is_open


def test_supplier_closes_its_post(supplier_client):
    post = RecruitmentPostFactory(supplier=supplier_client.supplier)
    supplier_client.post(reverse("suppliers:recruitment_toggle", args=[post.pk]), {"open": "0"})
    post.refresh_from_db()
    assert not post.is_open


def test_reseller_cannot_reach_supplier_pages(reseller_client):
    for name in ("recruitment_list", "application_list", "partnership_list"):
        assert reseller_client.get(reverse(f"suppliers:{name}")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("suppliers:partnership_list"))
    assert response.status_code == 302 and "login" in response.url


# ----------------------------------------------------------------- applications


def test_application_list_shows_own_pending_applications_with_bounded_queries(supplier_client, django_assert_max_num_queries):
    for _ in range(15):
        ApplicationFactory(supplier=supplier_client.supplier, post=RecruitmentPostFactory(supplier=supplier_client.supplier))
    ApplicationFactory(reseller__name="別家的申請者")
    with django_assert_max_num_queries(12):
        response = supplier_client.get(reverse("suppliers:application_list"), {"per_page": 50})
    body = response.content.decode()
    assert body.count(reverse("suppliers:application_list").rstrip("/")) >= 1
    assert len(response.context["page"].object_list) == 15
    assert "別家的申請者" not in body


def test_supplier_approves_an_application_with_a_tier(supplier_client):
    application = ApplicationFactory(supplier=supplier_client.supplier)
    tier = TierFactory(supplier=supplier_client.supplier, name="金牌")
    kam = member_of(supplier_client.supplier, role="staff")

    response = supplier_client.post(
        reverse("suppliers:application_detail", args=[application.pk]),
        {"action": "approve", "tier": tier.pk, "key_account_manager": kam.pk},
    )

    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert (partnership.tier, partnership.key_account_manager) == (tier, kam)


def test_supplier_rejects_with_a_reason_and_the_reseller_sees_it(supplier_client, client):
    reseller_user, reseller = reseller_with_member()
    application = ApplicationFactory(supplier=supplier_client.supplier, reseller=reseller)
    supplier_client.post(reverse("suppliers:application_detail", args=[application.pk]), {"action": "reject", "reason": "渠道不符"})
    application.refresh_from_db()
    assert application.status == PartnershipApplication.Status.REJECTED

    client.force_login(reseller_user)
    body = client.get(reverse("partners:reseller_applications")).content.decode()
    assert "渠道不符" in body


def test_supplier_cannot_see_or_decide_another_suppliers_application(supplier_client):
    application = ApplicationFactory()
    url = reverse("suppliers:application_detail", args=[application.pk])
    assert supplier_client.get(url).status_code == 404
    tier = TierFactory(supplier=supplier_client.supplier)
    assert supplier_client.post(url, {"action": "approve", "tier": tier.pk}).status_code == 404
    assert not Partnership.objects.exists()


def test_supplier_staff_role_sees_applications_but_cannot_decide(client):
    _owner, supplier = supplier_with_member()
    client.force_login(member_of(supplier, role="staff"))
    application = ApplicationFactory(supplier=supplier)
    url = reverse("suppliers:application_detail", args=[application.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "reject", "reason": "x"}).status_code == 404
    application.refresh_from_db()
    assert application.status == PartnershipApplication.Status.PENDING


# ----------------------------------------------------------------- partnerships (supplier)


def test_partnership_list_filters_and_counts_with_bounded_queries(supplier_client, django_assert_max_num_queries):
    supplier = supplier_client.supplier
    gold = TierFactory(supplier=supplier, name="金牌")
    for i in range(12):
        PartnershipFactory(
            supplier=supplier, tier=gold if i % 2 else TierFactory(supplier=supplier), key_account_manager=supplier_client.user
        )
    PartnershipFactory(supplier=supplier, status=Partnership.Status.TERMINATED, reseller__channel_type="offline_wholesale")
    PartnershipFactory(reseller__name="別家的分銷商")

    with django_assert_max_num_queries(12):
        response = supplier_client.get(reverse("suppliers:partnership_list"), {"per_page": 50})
    assert len(response.context["page"].object_list) == 13
    assert "別家的分銷商" not in response.content.decode()
    assert response.context["counts"] == {"active": 12, "terminated": 1}

    assert len(supplier_client.get(reverse("suppliers:partnership_list"), {"tier": gold.pk}).context["page"].object_list) == 6
    by_status = supplier_client.get(reverse("suppliers:partnership_list"), {"status": "terminated"})
    assert len(by_status.context["page"].object_list) == 1
    by_channel = supplier_client.get(reverse("suppliers:partnership_list"), {"channel_type": "offline_wholesale"})
    assert len(by_channel.context["page"].object_list) == 1


def test_supplier_gives_ten_days_notice_from_the_detail_page(supplier_client):
    partnership = PartnershipFactory(supplier=supplier_client.supplier)
    ends_at = timezone.localtime(timezone.now() + timedelta(days=10, minutes=5))
    response = supplier_client.post(
        reverse("suppliers:partnership_detail", args=[partnership.pk]),
        {"action": "notice", "reason": "違規", "ends_at": ends_at.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.TERMINATION_PENDING


def test_too_short_notice_shows_the_earliest_allowed_date_on_the_field(supplier_client):
    partnership = PartnershipFactory(supplier=supplier_client.supplier)
    ends_at = timezone.localtime(timezone.now() + timedelta(days=9))
    response = supplier_client.post(
        reverse("suppliers:partnership_detail", args=[partnership.pk]),
        {"action": "notice", "reason": "違規", "ends_at": ends_at.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 200
    errors = response.context["notice_form"].errors["ends_at"]
    assert "at least 10 days ahead" in errors[0]
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.ACTIVE


def test_end_now_is_offered_only_while_the_reseller_is_penalised(supplier_client):
    partnership = PartnershipFactory(supplier=supplier_client.supplier)
    url = reverse("suppliers:partnership_detail", args=[partnership.pk])
    assert supplier_client.get(url).context["can_end_now"] is False

    Penalty.objects.create(organisation=partnership.reseller.organisation, rule="R7", description="亂價")
    assert supplier_client.get(url).context["can_end_now"] is True
    supplier_client.post(url, {"action": "end_now", "reason": "受罰"})
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.TERMINATED


def test_supplier_cannot_see_or_touch_another_suppliers_partnership(supplier_client):
    partnership = PartnershipFactory()
    url = reverse("suppliers:partnership_detail", args=[partnership.pk])
    assert supplier_client.get(url).status_code == 404
    ends_at = timezone.localtime(timezone.now() + timedelta(days=11)).strftime("%Y-%m-%dT%H:%M")
    assert supplier_client.post(url, {"action": "notice", "reason": "x", "ends_at": ends_at}).status_code == 404
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.ACTIVE


def test_reseller_detail_shows_history_and_last_sync(supplier_client):
    partnership = PartnershipFactory(supplier=supplier_client.supplier, last_feed_at=timezone.now())
    ApplicationFactory(supplier=supplier_client.supplier, reseller=partnership.reseller, status="approved", partnership=partnership)
    supplier_client.post(
        reverse("suppliers:partnership_detail", args=[partnership.pk]),
        {"action": "change", "tier": TierFactory(supplier=supplier_client.supplier).pk},
    )
    response = supplier_client.get(reverse("suppliers:reseller_detail", args=[partnership.reseller_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "partnership.changed" in body and "Last synced" in body


def test_reseller_detail_of_a_stranger_is_404(supplier_client):
    _u, stranger = reseller_with_member()
    PartnershipFactory(reseller=stranger)  # partnered with someone else
    assert supplier_client.get(reverse("suppliers:reseller_detail", args=[stranger.pk])).status_code == 404


# ----------------------------------------------------------------- reseller pages


def test_reseller_sees_only_its_own_partnerships(reseller_client, django_assert_max_num_queries):
    for _ in range(8):
        PartnershipFactory(reseller=reseller_client.reseller)
    PartnershipFactory(supplier__company_name="別人的供應商")
    with django_assert_max_num_queries(10):
        response = reseller_client.get(reverse("partners:reseller_partnerships"), {"per_page": 50})
    assert len(response.context["page"].object_list) == 8
    assert "別人的供應商" not in response.content.decode()


def test_reseller_sees_only_its_own_applications(reseller_client, django_assert_max_num_queries):
    for _ in range(8):
        ApplicationFactory(reseller=reseller_client.reseller)
    ApplicationFactory(supplier__company_name="別人申請的供應商")
    with django_assert_max_num_queries(10):
        response = reseller_client.get(reverse("partners:reseller_applications"), {"per_page": 50})
    assert len(response.context["page"].object_list) == 8
    assert "別人申請的供應商" not in response.content.decode()


def test_reseller_ends_its_partnership(reseller_client):
    partnership = PartnershipFactory(reseller=reseller_client.reseller)
    response = reseller_client.post(reverse("partners:reseller_end_partnership", args=[partnership.pk]), {"reason": "轉型"})
    assert response.status_code == 302
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.TERMINATED


def test_reseller_cannot_end_another_resellers_partnership(reseller_client):
    partnership = PartnershipFactory()
    assert reseller_client.post(reverse("partners:reseller_end_partnership", args=[partnership.pk]), {"reason": "x"}).status_code == 404
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.ACTIVE


def test_reseller_withdraws_its_application_but_not_anothers(reseller_client):
    own = ApplicationFactory(reseller=reseller_client.reseller)
    other = ApplicationFactory()
    reseller_client.post(reverse("partners:reseller_application_withdraw", args=[own.pk]))
    assert reseller_client.post(reverse("partners:reseller_application_withdraw", args=[other.pk])).status_code == 404
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == ("withdrawn", "pending")


def test_nav_links_render_for_both_kinds(supplier_client, client):
    body = supplier_client.get(reverse("suppliers:partnership_list")).content.decode()
    assert reverse("partners:thread_list") in body and reverse("suppliers:application_list") in body
    user, _reseller = reseller_with_member()
    client.force_login(user)
    body = client.get(reverse("partners:reseller_partnerships")).content.decode()
    assert reverse("partners:recruitment_list") in body


def test_supplier_nav_counts_pending_applications(supplier_client):
    ApplicationFactory(supplier=supplier_client.supplier)
    ApplicationFactory(supplier=supplier_client.supplier, status="rejected")
    ApplicationFactory()
    body = supplier_client.get(reverse("suppliers:partnership_list")).content.decode()
    assert 'data-testid="pending-applications">1<' in body


def test_closing_a_post_with_htmx_returns_just_its_row(supplier_client):
    post = RecruitmentPostFactory(supplier=supplier_client.supplier, title="招募中")
    ApplicationFactory(supplier=supplier_client.supplier, post=post)
    response = supplier_client.post(
        reverse("suppliers:recruitment_toggle", args=[post.pk]), {"open": "0"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith(f'<tr id="post-{post.pk}">') and "<html" not in body
    assert "Closed" in body and ">1</a>" in body
    post.refresh_from_db()
    assert not post.is_open


def test_recruitment_management_list_is_bounded(supplier_client, django_assert_max_num_queries):
    for _ in range(12):
        RecruitmentPostFactory(supplier=supplier_client.supplier)
    RecruitmentPostFactory(title="別家的招募")
    with django_assert_max_num_queries(10):
        response = supplier_client.get(reverse("suppliers:recruitment_list"), {"per_page": 50})
    assert len(response.context["page"].object_list) == 12
    assert "別家的招募" not in response.content.decode()


def test_home_dashboard_shows_the_partnership_widget_for_both_kinds(supplier_client, client):
    PartnershipFactory(supplier=supplier_client.supplier, status="termination_pending")
    ApplicationFactory(supplier=supplier_client.supplier)
    body = supplier_client.get(reverse("home")).content.decode()
    assert 'id="partnership-widget"' in body and "Termination pending</a>: <strong>1</strong>" in body
    assert "Pending applications</a>: <strong>1</strong>" in body

    user, reseller = reseller_with_member()
    PartnershipFactory(reseller=reseller)
    client.force_login(user)
    body = client.get(reverse("home")).content.decode()
    assert 'id="partnership-widget"' in body and "Active</a>: <strong>1</strong>" in body


def test_status_counts_show_zero_rather_than_blank(supplier_client):
    PartnershipFactory(supplier=supplier_client.supplier)

    partnerships = supplier_client.get(reverse("suppliers:partnership_list")).content.decode()
    applications = supplier_client.get(reverse("suppliers:application_list")).content.decode()

    assert "Terminated: <strong>0</strong>" in partnerships
    assert "Active: <strong>1</strong>" in partnerships
    assert applications.count('<span class="badge text-bg-light">0</span>') == len(PartnershipApplication.Status.choices)
