"""Error pages are the platform's own, in the visitor's language, with a way back."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from tests.accounts.factories import UserFactory


@pytest.fixture
def traditional(settings):
    settings.LANGUAGE_CODE = "zh-hant"


@pytest.mark.django_db
def test_wrong_kind_of_organisation_gets_a_translated_403_page(client, traditional, supplier_member):
    user, _ = supplier_member
    client.force_login(user)

    response = client.get("/wallet/top-ups/")  # a reseller's page

    body = response.content.decode()
    assert response.status_code == 403
    assert "您無法開啟此頁面" in body
    assert 'href="/home/"' in body


@pytest.mark.django_db
def test_missing_page_gets_a_translated_404_page(client, traditional, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "找不到頁面" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        response = defaults.server_error(request)

    assert response.status_code == 500
    assert "出了点问题" in response.content.decode()


@pytest.mark.django_db
def test_staff_site_is_titled_as_the_platform_in_traditional_chinese(client, traditional):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    body = client.get("/admin/").content.decode()

    assert "分銷平台管理後台" in body
    assert "平台紀錄" in body  # the core app's label (the audit log)
    assert "Django" not in body.split("<body", 1)[1].split("</header>", 1)[0]
