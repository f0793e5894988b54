"""allauth login, logout, password reset and the login throttle (SPEC §7)."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

LOGIN_URL = "/accounts/login/"


def attempt(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password})


@pytest.mark.django_db
def test_login_with_email_and_password_lands_home(client, reseller_member):
    user, _reseller = reseller_member

    response = attempt(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/home/"


@pytest.mark.django_db
def test_sixth_attempt_within_five_minutes_is_refused_even_with_the_right_password(client):
    user = UserFactory()
    for _ in range(5):
        response = attempt(client, user.email, "wrong-password")
        assert response.status_code == 200  # refused with the form's error

    response = attempt(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 200  # the login form again, with the throttling error
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


@pytest.mark.django_db
def test_the_throttle_lifts_after_five_minutes(client):
    user = UserFactory()
    with time_machine.travel("2026-03-01 10:00:00+08:00", tick=False) as traveller:
        for _ in range(5):
            attempt(client, user.email, "wrong-password")
        traveller.shift(6 * 60)

        response = attempt(client, user.email, DEFAULT_PASSWORD)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_five_wrong_passwords_do_not_block_a_different_account_from_another_ip(client):
    victim = UserFactory()
    other = UserFactory()
    for _ in range(5):
        client.post(LOGIN_URL, {"login": victim.email, "password": "wrong"}, REMOTE_ADDR="198.51.100.1")

    response = client.post(LOGIN_URL, {"login": other.email, "password": DEFAULT_PASSWORD}, REMOTE_ADDR="198.51.100.2")

    assert response.status_code == 302


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_link(client):
    user = UserFactory(email="forgot@example.test")

    response = client.post("/accounts/password/reset/", {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_allauth_pages_use_the_platform_layout(client):
    body = client.get(LOGIN_URL).content.decode()
    assert "navbar" in body and "bootstrap.min.css" in body
    assert 'class="form-control' in body


@pytest.mark.django_db
def test_logout_signs_out(client, reseller_member):
    user, _ = reseller_member
    client.force_login(user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/password/reset/", "/accounts/email/", "/accounts/password/change/"])
def test_allauth_account_pages_render_in_the_layout(client, reseller_member, path):
    user, _ = reseller_member
    client.force_login(user)

    response = client.get(path)

    assert response.status_code == 200
    assert "navbar" in response.content.decode()
