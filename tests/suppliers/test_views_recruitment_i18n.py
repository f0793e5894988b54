"""The partnership pages in the default language (繁體中文) and in 简体中文."""

import pytest
from django.urls import reverse

from tests.suppliers.factories_partners import RecruitmentPostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading", "tier_label"),
    [("zh-hant", "招募分銷商的供應商", "提供的等級"), ("zh-hans", "招募分销商的供应商", "提供的等级")],
)
def test_recruitment_list_is_translated(client, settings, language, heading, tier_label):
    settings.LANGUAGE_CODE = "zh-hant"
    RecruitmentPostFactory()
    body = client.get(reverse("partners:recruitment_list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert heading in body and tier_label in body
