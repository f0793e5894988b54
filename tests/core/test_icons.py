"""A favicon and app icons: every page links them, and /favicon.ico (asked for by browsers before
reading the page) redirects to the icon instead of answering 404."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_link_the_favicon_and_app_icons_and_favicon_ico_redirects(client):
    page = client.get("/accounts/login/").content.decode()
    for name in ("icons/favicon.ico", "icons/favicon.svg", "icons/apple-touch-icon.png", "icons/site.webmanifest"):
        assert f"/static/{name}" in page
        assert finders.find(name), name
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/icons/favicon.ico"
