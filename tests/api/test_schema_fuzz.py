"""A schema-driven fuzz run (schemathesis) against a live server: no input makes the API answer 500."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ST = shutil.which("st") or str(Path(sys.executable).with_name("st"))


def _fuzz(live_server, key: str, path_filter: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [
            ST, "run", f"{live_server.url}/api/v1/openapi.json",
            "-H", f"Authorization: Bearer {key}",
            *path_filter,
            "--checks", "not_a_server_error",
            "--max-examples", "15",
            "--phases", "fuzzing",
            "--workers", "1",
            "--no-shrink",
            "--seed", "20261128",
            "--request-timeout", "10",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=150,
    )


def test_fuzzing_every_operation_finds_no_server_error(world, live_server, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    reseller = _fuzz(live_server, "reseller-key-1", ["--exclude-path-regex", "/supplier/"])
    assert reseller.returncode == 0, reseller.stdout[-4000:]
    supplier = _fuzz(live_server, "supplier-key-1", ["--include-path-regex", "/supplier/"])
    assert supplier.returncode == 0, supplier.stdout[-4000:]
