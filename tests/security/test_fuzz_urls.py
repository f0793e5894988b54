"""Malformed ids, numbers and query values never answer 5xx (issue 11, finding 7).

Every URL pattern of the site (the JSON API has its own schema fuzz in ``tests/api``) is called
with malformed and out-of-range path ids, then with a query string and a form body of malformed
values, signed in as each demo role and anonymously. A clear 4xx, a redirect or the page with a
form error are all fine; a 5xx is not.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"
ROLES = [None, "supplier@demo.test", "reseller@demo.test", "staff@demo.test"]
# Django's, allauth's, the API's own fuzz, files; readyz answers 503 by design while beat has not run
SKIP_PREFIXES = ("admin/", "api/v1/", "i18n/", "accounts/", "media/", "readyz")

# path converters: what each is called with
PATH_VALUES = {
    "int": ["1", "3", "2147483648", "99999999999999999999"],
    "str": ["1", "x:y", "PO-%00", "9" * 40],
    "path": ["x"],
}
BAD_VALUES = {
    "page": "abc", "per_page": "-1", "sku": "abc", "saved": "abc", "status": "zzz", "supplier": "abc", "reseller": "abc",
    "product": "abc", "po": "x" * 300, "tier": "abc", "channel": "zzz", "updated_since": "abc", "date_from": "2026-13-45",
    "date_to": "abc", "kind": "zzz", "min_price": "abc", "max_price": "1e999", "category": "abc", "province": "abc",
    "city": "abc", "in_stock": "abc", "q": "%" * 50, "next": "x:y", "changed": "city", "text": "浙江省" * 100,
    "delete": "abc", "offer": "abc", "proposal": "abc", "action": "zzz", "position": "99999999999",
    "weight_grams": "99999999999", "on_hand": "99999999999", "quantity": "99999999999", "discount_percent": "1e999",
    "retail_price": "NaN", "price": "-inf", "amount": "1e999", "skus": "abc", "sku_ids": "abc", "markup": "abc",
    "rule": "zzz", "role": "zzz", "open": "1", "ids": "abc", "partnership": "abc", "listing": "abc", "user": "abc",
    "reason": "x" * 2000, "days": "99999999999", "refund_amount": "NaN", "release_amount": "abc",
    "requested_amount": "1e999", "addr-province": "abc", "addr-city": "abc", "lines-0-sku": "abc",
    "lines-0-quantity": "99999999999", "skus-TOTAL_FORMS": "99999999999", "skus-INITIAL_FORMS": "abc",
    "skus-0-on_hand": "99999999999", "skus-0-weight_grams": "99999999999", "skus-0-id": "abc",
}  # fmt: skip


def _patterns(resolver: URLResolver = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _urls(route: str) -> list[str]:
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if "(?P<" in route or "^" in route:
        return []
    if not params:
        return ["/" + route]
    urls = []
    for i in range(max(len(PATH_VALUES.get(conv or "str", ["1"])) for conv, _name in params)):
        url = route
        for conv, name in params:
            values = PATH_VALUES.get(conv or "str", ["1"])
            url = re.sub(rf"<(?:{conv}:)?{name}>", values[min(i, len(values) - 1)], url, count=1)
        urls.append("/" + url)
    return urls


@pytest.fixture(scope="module")
def urls() -> list[str]:
    found = []
    for route in _patterns():
        if not route.startswith(SKIP_PREFIXES):
            found.extend(_urls(route))
    assert len(found) > 100  # the whole site, not a handful
    return found


def test_no_url_answers_5xx_to_malformed_ids_and_values(urls):
    call_command("seed_demo", stdout=StringIO())
    failures = []
    for email in ROLES:
        client = Client(raise_request_exception=False)
        if email:
            assert client.login(email=email, password=PASSWORD), email
        for url in urls:
            for method, data in (("get", {}), ("get", BAD_VALUES), ("post", BAD_VALUES)):
                response = getattr(client, method)(url, data)
                if response.status_code >= 500:
                    exc = response.exc_info[1] if getattr(response, "exc_info", None) else ""
                    failures.append(f"{email or 'anonymous'} {method.upper()} {url}{' (bad values)' if data else ''}: {exc!r}"[:300])
    assert not failures, "\n".join(failures)
