"""Where to send someone back to: a ``next`` value is followed only when it stays on this site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """``next`` from the form or the query string if it is a URL on this host (and scheme), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """A redirect to :func:`safe_next` (a plain URL, never looked up as a view name)."""
    return HttpResponseRedirect(safe_next(request, default))
