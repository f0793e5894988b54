"""Conventions of API v1: authentication, key kinds, rate limit, error envelope, schema and docs."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from distribution.api.models import ApiKey
from tests.api.conftest import ApiClient, error_code


def test_missing_key_answers_401_with_the_error_envelope(world):
    response = ApiClient(None).get("products/")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "unauthorized"
    assert body["error"]["fields"] == {}
    assert body["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer not-a-key", "Basic cmVzZWxsZXI6eA==", "Bearer ", "reseller-key-1"])
def test_a_bad_or_malformed_key_answers_401(world, header):
    response = ApiClient(None).get("products/", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


def test_a_revoked_key_answers_401(world):
    ApiKey.objects.filter(organisation=world["reseller"].organisation).update(revoked_at=timezone.now())
    response = world["reseller_api"].get("products/")
    assert response.status_code == 401


def test_a_reseller_key_on_a_supplier_path_answers_403(world):
    response = world["reseller_api"].get("supplier/skus/")
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_a_supplier_key_on_a_reseller_path_answers_403(world):
    for path in ["products/", "inventory/", "account/"]:
        response = world["supplier_api"].get(path)
        assert response.status_code == 403, path
        assert error_code(response) == "forbidden"


def test_the_key_records_its_last_use(world):
    world["reseller_api"].get("products/")
    key = ApiKey.objects.get(organisation=world["reseller"].organisation)
    assert key.last_used_at is not None


def test_requests_beyond_the_rate_limit_answer_429_with_retry_after(world, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = world["reseller_api"]
    statuses = [api.get("inventory/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("inventory/")
    assert error_code(response) == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 61
    # the limit is per key: another organisation's key is not affected
    assert world["other_reseller_api"].get("inventory/").status_code == 200


def test_an_invalid_query_parameter_answers_422_naming_the_field(world):
    response = world["reseller_api"].get("products/", {"limit": 501})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert "limit" in body["fields"]


def test_an_unknown_path_answers_a_json_404(world):
    response = world["reseller_api"].get("no-such-thing/")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_the_openapi_schema_is_served_and_valid(db):
    import schemathesis
    from jsonschema import Draft202012Validator  # noqa: F401  (schemathesis' dependency)

    response = ApiClient(None).get("openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in ["/api/v1/products/", "/api/v1/inventory/", "/api/v1/account/", "/api/v1/supplier/skus/",
                 "/api/v1/supplier/skus/{code}/stock"]:
        assert path in paths
    assert schema["components"]["securitySchemes"]
    # schemathesis refuses a schema that is not valid OpenAPI
    loaded = schemathesis.openapi.from_dict(schema)
    assert len(list(loaded.get_all_operations())) >= 5


def test_the_docs_page_uses_only_local_static_files(db):
    response = ApiClient(None).get("docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in u for u in urls)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert "cdn" not in html.lower()


def test_error_messages_follow_accept_language(world):
    response = ApiClient(None).get("products/", headers={"Accept-Language": "zh-hant"})
    assert response.json()["error"]["message"].startswith("需要有效的 API 金鑰")
    assert response.json()["error"]["code"] == "unauthorized"  # codes never change with the language


def test_old_idempotency_records_are_swept(world):
    from datetime import timedelta

    from distribution.api.models import IdempotencyRecord
    from distribution.api.sweeps import sweep_idempotency_records

    old = IdempotencyRecord.objects.create(organisation=world["reseller"].organisation, key="old", request_hash="x")
    fresh = IdempotencyRecord.objects.create(organisation=world["reseller"].organisation, key="new", request_hash="x")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    result = sweep_idempotency_records(now=timezone.now())
    assert result.acted == [str(old.pk)]
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh.pk]
