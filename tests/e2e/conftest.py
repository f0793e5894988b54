"""Browser journeys: Playwright (sync API) driving Debian's chromium against pytest-django's
``live_server`` (a real server thread; the database is transactional, so rows made in the test
are visible to the browser).

Fixtures for every journey (mark tests ``@pytest.mark.e2e``):

- ``browser`` (session): chromium from ``/usr/bin/chromium`` (``CHROMIUM_PATH`` overrides), headless.
  If it is missing the tests FAIL with what to install (``make test`` installs it), never skip.
- ``context`` / ``page``: a fresh browser context (own cookies) and page per test; language
  English (``Accept-Language``; the site's default stays 繁體中文) and a 1280×900 viewport.
  ``phone_page`` is the same at 390×844 for phone-width checks.
- ``agreement``: the published agreement v1.0 (from ``tests/conftest.py``); flush-safe.
- ``login(page, live_server, email, password)``: signs in through allauth's login form and
  waits until the browser has left the login page.
- ``url(live_server, path)``: absolute URL of ``path`` on the live server.
- ``fill_consumer_address(page)``: types a valid consumer address into the PO form (waits for the
  city and district choices that htmx loads).

Example::

    @pytest.mark.e2e
    def test_something(page, live_server, supplier_member):
        user, supplier = supplier_member
        login(page, live_server, user.email, DEFAULT_PASSWORD)
        page.goto(url(live_server, "/home/"))
        expect(page.get_by_role("heading", name=supplier.organisation.name)).to_be_visible()

Django's ORM refuses to run synchronously while an event loop is running in the thread,
which Playwright's sync API does; ``DJANGO_ALLOW_ASYNC_UNSAFE`` allows it for these tests
(each test still uses one thread for the ORM).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
DEFAULT_TIMEOUT_MS = 15_000


def pytest_configure(config):
    """Playwright's ``expect`` waits 5 s by default, apart from the context's timeout: on two shared
    cores under a full suite an htmx swap (the district list after a city) can take longer. Give the
    assertions the same patience as the actions."""
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is a browser journey."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def url(live_server, path: str) -> str:
    return live_server.url + path


def login(page, live_server, email: str, password: str) -> None:
    """Sign in through the real login form; returns once the browser left the login page."""
    page.goto(url(live_server, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def fill_consumer_address(page) -> None:
    from playwright.sync_api import expect

    page.fill("#id_addr-recipient", "張三")
    page.fill("#id_addr-mobile", "13800138000")
    page.select_option("#id_addr-province", "330000")
    expect(page.locator("#id_addr-city option[value='330100']")).to_have_count(1)
    page.select_option("#id_addr-city", "330100")
    expect(page.locator("#id_addr-district option[value='330106']")).to_have_count(1)
    page.select_option("#id_addr-district", "330106")
    page.fill("#id_addr-street", "文三路100號")
    page.fill("#id_addr-postal_code", "310000")


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.path.exists(CHROMIUM_PATH):
        pytest.fail(
            f"chromium not found at {CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium; "
            "`make test` does it) or set CHROMIUM_PATH.",
            pytrace=False,
        )
    browser = _playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


def _new_context(browser, **kwargs):
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"}, **kwargs)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = _new_context(browser, viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def phone_page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    context = _new_context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()
