"""The address a request really came from, trusting exactly ``TRUSTED_PROXY_COUNT`` reverse proxies.

With no proxy (the default, 0) ``X-Forwarded-For`` is ignored: anyone can send it. Behind N proxies
each appends the address it saw, so the client is the N-th entry from the right; anything to its
left was written by the client and is not trusted. A header with fewer entries than proxies means
a misconfiguration, and the connection's own address is used.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 (an address, not a bind)
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return _valid(hops[-count]) or remote
