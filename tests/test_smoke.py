import pytest


@pytest.mark.django_db
def test_landing_page_explains_the_platform_and_links_both_signups(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/accounts/signup/supplier/" in body
    assert "/accounts/signup/reseller/" in body
