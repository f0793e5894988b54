"""A schema-driven fuzz run (schemathesis) against a live server: no input makes the API answer 500."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ST = shutil.which("st") or str(Path(sys.executable).with_name("st"))


def _fuzz(live_server, key: str, path_filter: list[str], *, phases: str = "fuzzing", checks: str = "not_a_server_error",
          examples: int = 15, env: dict | None = None) -> subprocess.CompletedProcess:  # fmt: skip
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [
            ST, "run", f"{live_server.url}/api/v1/openapi.json",
            "-H", f"Authorization: Bearer {key}",
            *path_filter,
            "--checks", checks,
            "--max-examples", str(examples),
            "--phases", phases,
            "--workers", "1",
            "--no-shrink",
            "--seed", "20261128",
            "--request-timeout", "10",
        ],  # fmt: skip
        capture_output=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        text=True,
        timeout=150,
    )


def test_fuzzing_every_operation_finds_no_server_error(world, live_server, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    reseller = _fuzz(live_server, "reseller-key-1", ["--exclude-path-regex", "/supplier/"])
    assert reseller.returncode == 0, reseller.stdout[-4000:]
    supplier = _fuzz(live_server, "supplier-key-1", ["--include-path-regex", "/supplier/"])
    assert supplier.returncode == 0, supplier.stdout[-4000:]


def test_the_stateful_run_follows_the_purchase_order_links_without_a_failure(world, live_server, settings):
    """The schema's links (place → pay → confirm-receipt / cancel / detail) drive schemathesis' stateful
    phase: every answer must be documented and match its schema (``all`` checks), not only be no 500."""
    from tests.settlement.factories import fund

    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    fund(world["reseller"].organisation, "100000.00")
    run = _fuzz(
        live_server, "reseller-key-1", ["--include-path-regex", "^/api/v1/purchase-orders/"],
        phases="stateful", checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
        "response_headers_conformance", examples=25,
        env={"SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks", "ST_SKU_ID": str(world["sku"].pk), "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:]
    # the links were followed: orders were placed, and paid or cancelled by their own number
    from procurement.models import PurchaseOrder

    statuses = list(PurchaseOrder.objects.values_list("status", flat=True))
    assert set(statuses) - {"awaiting_payment"}, (statuses, run.stdout[-2500:])
