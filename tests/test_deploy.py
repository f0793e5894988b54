"""Production settings pass ``manage.py check --deploy`` (SPEC §7) and refuse to start without a secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The e2e conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", SECRET_KEY="x" * 20 + "-production-secret-key-for-the-check-0123456789", ALLOWED_HOSTS="shop.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_settings_would_fail_the_deploy_check():
    """Negative control: the check really looks (DEBUG on, insecure key, no HTTPS settings)."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_ENV="development")

    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout  # DEBUG is True


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="shop.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
