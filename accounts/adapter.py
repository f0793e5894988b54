"""allauth adapter: where people land after login, the client's address, and the login throttle's key.

One throttle guards every password form: the site's login page and the admin (``/admin/login/``
sends to the same page, see ``distribution/urls.py``). ``ACCOUNT_RATE_LIMITS["login_failed"]``
counts failures per account *and address* (``key``: a wrong password from one office does not lock
the account out elsewhere) and per address across all accounts (``ip``: a higher ceiling against
spraying from one place), with the address from ``distribution.core.client_ip`` (proxies trusted
only as configured by ``TRUSTED_PROXY_COUNT``).
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from distribution.core.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        return reverse("home")

    def get_signup_redirect_url(self, request):
        return reverse("home")

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys failures by the login alone; we add the address (allauth 65 calls this for
        # counting failures and for clearing them after a password reset).
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{self.get_client_ip(request)}"
