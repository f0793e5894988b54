import pytest
from django.urls import reverse

from suppliers.models import PartnershipApplication
from tests.suppliers.factories import SupplierFactory, TierFactory
from tests.suppliers.factories_partners import RecruitmentPostFactory
from tests.suppliers.partners_helpers import celery_eager, fast_hasher, member_of, reseller_with_member  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager", "fast_hasher")]


def test_anonymous_visitors_see_open_posts_of_active_suppliers_only(client):
    shown = RecruitmentPostFactory(title="服飾招募")
    RecruitmentPostFactory(title="已關閉", is_open=False)
    RecruitmentPostFactory(title="停權供應商", supplier=SupplierFactory(suspended=True))

    body = client.get(reverse("partners:recruitment_list")).content.decode()

    assert "服飾招募" in body and "已關閉" not in body and "停權供應商" not in body
    assert reverse("partners:recruitment_detail", args=[shown.pk]) in body


@pytest.mark.parametrize("q", ["服飾", "一件代發", "星辰貿易"])
def test_search_matches_title_body_and_supplier_name(client, q):
    supplier = SupplierFactory(company_name="星辰貿易")
    RecruitmentPostFactory(supplier=supplier, title="服飾招募", body="一件代發")
    RecruitmentPostFactory(title="家居招募", body="工廠直供")

    body = client.get(reverse("partners:recruitment_list"), {"q": q}).content.decode()

    assert "服飾招募" in body and "家居招募" not in body


def test_filter_by_channel_type_includes_posts_accepting_every_type(client):
    RecruitmentPostFactory(title="只要C店", accepted_channel_types=["c_store"])
    RecruitmentPostFactory(title="全部渠道", accepted_channel_types=[])
    RecruitmentPostFactory(title="只要批發", accepted_channel_types=["offline_wholesale"])

    body = client.get(reverse("partners:recruitment_list"), {"channel_type": "c_store"}).content.decode()

    assert "只要C店" in body and "全部渠道" in body and "只要批發" not in body


def test_empty_search_says_what_to_do(client):
    body = client.get(reverse("partners:recruitment_list"), {"q": "不存在"}).content.decode()
    assert "No open post matches your search" in body


def test_list_is_paginated_with_bounded_queries(client, django_assert_max_num_queries):
    for _ in range(30):
        RecruitmentPostFactory()
    with django_assert_max_num_queries(4):
        response = client.get(reverse("partners:recruitment_list"), {"per_page": 30})
    assert response.status_code == 200
    assert response.content.decode().count('class="card mb-2"') == 30


def test_closed_post_detail_is_404_for_the_public(client):
    post = RecruitmentPostFactory(is_open=False)
    assert client.get(reverse("partners:recruitment_detail", args=[post.pk])).status_code == 404


def test_reseller_manager_sees_the_apply_form_and_applies(client):
    user, reseller = reseller_with_member()
    post = RecruitmentPostFactory()
    client.force_login(user)

    detail = client.get(reverse("partners:recruitment_detail", args=[post.pk])).content.decode()
    assert reverse("partners:apply_to_post", args=[post.pk]) in detail

    response = client.post(reverse("partners:apply_to_post", args=[post.pk]), {"message": "請多指教"})

    assert response.status_code == 302 and response.url == reverse("partners:reseller_applications")
    assert PartnershipApplication.objects.get().post == post


def test_apply_with_a_refused_channel_type_shows_the_accepted_types(client):
    user, reseller = reseller_with_member()
    post = RecruitmentPostFactory(accepted_channel_types=["offline_wholesale"])
    client.force_login(user)

    response = client.post(reverse("partners:apply_to_post", args=[post.pk]), {"message": "hi"})

    assert response.status_code == 200
    assert "Offline wholesale" in response.content.decode()
    assert not PartnershipApplication.objects.exists()


def test_reseller_staff_role_cannot_apply(client):
    _owner, reseller = reseller_with_member()
    client.force_login(member_of(reseller, role="staff"))
    post = RecruitmentPostFactory()
    assert client.post(reverse("partners:apply_to_post", args=[post.pk]), {"message": "hi"}).status_code == 403


def test_apply_directly_from_the_supplier_profile(client):
    user, reseller = reseller_with_member()
    supplier = SupplierFactory()
    client.force_login(user)
    response = client.post(reverse("partners:apply_to_supplier", args=[supplier.pk]), {"message": "直接申請"})
    assert response.status_code == 302
    assert PartnershipApplication.objects.get().supplier == supplier


def test_supplier_profile_shows_company_tiers_posts_and_response_time(client):
    supplier = SupplierFactory(company_name="星辰貿易")
    TierFactory(supplier=supplier, name="金牌")
    RecruitmentPostFactory(supplier=supplier, title="開放中的招募")
    body = client.get(reverse("partners:supplier_profile", args=[supplier.pk])).content.decode()
    assert "星辰貿易" in body and "金牌" in body and "開放中的招募" in body
    assert 'data-testid="response-time"' in body


def test_profile_of_an_inactive_supplier_is_404(client):
    assert client.get(reverse("partners:supplier_profile", args=[SupplierFactory(pending=True).pk])).status_code == 404
