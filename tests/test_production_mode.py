"""Production mode serves pages: ``collectstatic`` with the production settings succeeds and every
main page renders (DEBUG off, manifest static storage) for each demo login (issue 11, finding 1)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.test_deploy import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"

SUPPLIER_PAGES = [
    "home", "accounts:organisation", "accounts:notifications", "api_settings:index", "compliance:compliance",
    "disputes:list", "compliance:rewards_supplier", "settlement:wallet", "settlement:withdrawal_list", "compliance:reward_list",
    "suppliers:product_list", "suppliers:product_create", "suppliers:import", "suppliers:tier_list", "suppliers:terms",
    "suppliers:recruitment_list", "suppliers:recruitment_create", "suppliers:application_list",
    "suppliers:partnership_list", "partners:thread_list", "procurement:supplier_po_list",
    "resellers:inspections",
]  # fmt: skip
RESELLER_PAGES = [
    "home", "accounts:organisation", "accounts:notifications", "api_settings:index", "compliance:compliance",
    "disputes:list", "compliance:rewards_reseller", "settlement:wallet", "settlement:top_up_list",
    "partners:recruitment_list", "partners:reseller_partnerships", "partners:reseller_applications",
    "partners:thread_list", "procurement:reseller_po_list", "procurement:reseller_po_place",
    "procurement:saved_addresses", "resellers:catalog", "resellers:store_list", "resellers:feeds", "resellers:findings",
]  # fmt: skip
ANONYMOUS_PAGES = ["landing", "account_login", "account_reset_password", "partners:signup_supplier", "resellers:signup"]
ROLES = {
    "supplier@demo.test": SUPPLIER_PAGES,
    "supplier2@demo.test": SUPPLIER_PAGES,
    "reseller@demo.test": RESELLER_PAGES,
    "reseller2@demo.test": RESELLER_PAGES,
    "reseller3@demo.test": RESELLER_PAGES,
}


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """``collectstatic`` exactly as production runs it (a subprocess with DJANGO_ENV=production)."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = run_manage(
        "collectstatic", "--noinput", "-v", "0",
        DJANGO_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="shop.example.com", STATIC_ROOT=str(root),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "staticfiles.json").exists()
    return root


@pytest.fixture
def production(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return settings


def _assert_ok(client: Client, name: str, who: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200, f"{who} {url}: {response.status_code}"
    assert b"/static/" in response.content or name.startswith("api")


def test_collectstatic_with_production_settings_succeeds(collected_static):
    manifest = (collected_static / "staticfiles.json").read_text()
    assert "vendor/bootstrap-5.3.8/bootstrap.min.css" in manifest


def test_every_main_page_renders_for_every_demo_login_in_production_mode(production):
    call_command("seed_demo", stdout=StringIO())
    anonymous = Client()
    for name in ANONYMOUS_PAGES:
        _assert_ok(anonymous, name, "anonymous")
    for email, pages in ROLES.items():
        client = Client()
        assert client.login(email=email, password=PASSWORD), email
        for name in pages:
            _assert_ok(client, name, email)
    staff = Client()
    assert staff.login(email="staff@demo.test", password=PASSWORD)
    for url in ["/admin/", "/admin/settlement/topuprequest/", "/admin/disputes/dispute/"]:
        response = staff.get(url)
        assert response.status_code == 200, f"staff {url}: {response.status_code}"
