"""Request middleware: the asking user's organisation, and agreement re-acceptance (R1)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from distribution.core.middleware import is_api_request

from .models import Membership
from .selectors import user_must_accept_agreement


def _membership(request):
    user = request.user
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("organisation").filter(user=user).first()


class OrganisationMiddleware:
    """Sets ``request.membership`` (the signed-in user's ``Membership`` with its organisation, or ``None``).

    Resolved eagerly (one query for signed-in users) so ``request.membership is None`` is reliable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # the API's organisation comes with its key (distribution.api.auth); no member is signed in there
        request.membership = None if is_api_request(request) else _membership(request)
        return self.get_response(request)


# Paths a user who still has to accept the new agreement may reach.
# /accounts/ holds login/logout, password pages and the agreement page itself; the API
# authenticates machines by key, not people.
AGREEMENT_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/admin/", "/api/")


class AgreementMiddleware:
    """Send a signed-in organisation member to the agreement page until they accept the current version."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):  # the key lookup carries R1 for the API (distribution.api.auth)
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(AGREEMENT_EXEMPT_PREFIXES)
            and request.membership
            and user_must_accept_agreement(user)
        ):
            target = f"{reverse('accounts:agreement_accept')}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                # A partial update must not swap the agreement page into a fragment: send the whole page there.
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            return redirect(target)
        return self.get_response(request)
