"""One login throttle for the site and the admin, keyed on the real client address (issue 11,
findings 3 and 4)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from distribution.core.client_ip import client_ip
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_admin_login_cannot_be_brute_forced():
    staff = UserFactory(email="staff@demo.test", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(30):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong", "next": "/admin/"})

    client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD, "next": "/admin/"})

    assert not _logged_in(client)


def test_the_admin_login_is_the_sites_login_with_its_throttle():
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)

    for _ in range(5):
        client.post(LOGIN_URL + "?next=/admin/", {"login": staff.email, "password": "wrong"})
    response = client.post(LOGIN_URL + "?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert not _logged_in(client)
    assert b"Too many failed login attempts" in response.content

    # from another address the staff member still gets in, and lands in the admin
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    response = elsewhere.post(LOGIN_URL + "?next=/admin/", {"login": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert elsewhere.get("/admin/").status_code == 200


def test_rotating_x_forwarded_for_does_not_escape_the_per_address_ceiling():
    users = [UserFactory() for _ in range(31)]
    client = Client()
    for n, user in enumerate(users[:30]):
        client.post(LOGIN_URL, {"login": user.email, "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")

    client.post(LOGIN_URL, {"login": users[30].email, "password": DEFAULT_PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.200")

    assert not _logged_in(client)


def test_five_failures_from_an_office_do_not_lock_out_its_colleagues_or_the_account_elsewhere():
    clumsy, colleague = UserFactory(), UserFactory()
    office = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(5):
        office.post(LOGIN_URL, {"login": clumsy.email, "password": "wrong"})

    office.post(LOGIN_URL, {"login": clumsy.email, "password": DEFAULT_PASSWORD})
    assert not _logged_in(office)  # that account, from that address: locked for now

    colleague_client = Client(REMOTE_ADDR="192.0.2.10")
    colleague_client.post(LOGIN_URL, {"login": colleague.email, "password": DEFAULT_PASSWORD})
    assert _logged_in(colleague_client)

    home = Client(REMOTE_ADDR="198.51.100.77")
    home.post(LOGIN_URL, {"login": clumsy.email, "password": DEFAULT_PASSWORD})
    assert _logged_in(home)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),  # no proxy configured: the header is the client's own claim
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client prepended a fake hop
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # fewer hops than proxies: misconfigured, use the connection
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_exactly_the_configured_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
