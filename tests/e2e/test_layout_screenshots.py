"""Every main page per role (supplier, reseller, platform staff) at 1280 and 390 px, in 繁體中文 and
English (issue 22): no horizontal overflow of the document (``scrollWidth <= viewport``), no clipped
text (an element with ``overflow: hidden`` whose content is wider than its box, amounts above all),
no amount outside the viewport unless it sits in a table that scrolls sideways, and the navbar's
links on one row at 1280 px. Screenshots are saved for review under a temporary directory (the
path is printed; ``LAYOUT_SCREENSHOTS`` names another).

The demo data (``seed_demo``) gives every page something to show.
"""

from __future__ import annotations

import os
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.e2e.conftest import CHROMIUM_ARGS, DEFAULT_TIMEOUT_MS, login, url  # noqa: F401  (the browser fixture's args)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-2026"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
LANGUAGES = {"zh-hant": "zh-Hant,zh;q=0.9", "en": "en"}

# What the page must not do, measured in the browser. ``.text-truncate[title]`` is an intended
# ellipsis (the full text is in the title); scrollable containers (overflow auto/scroll) are fine
# as long as the document itself does not scroll sideways.
MEASURE = """() => {
  const amount = /^[−-]?¥?\\s?\\d{1,3}(,\\d{3})*(\\.\\d{2})$/;
  const width = document.documentElement.clientWidth;
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && !el.closest('.modal:not(.show), .visually-hidden'); };
  const classes = (el) => (typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const text = (el) => (el.innerText || '').trim().slice(0, 40);
  const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes(el)} «${text(el)}»`;
  const clipped = [], offscreen = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const s = getComputedStyle(el);
    const hides = ['hidden', 'clip'].includes(s.overflowX) || s.textOverflow === 'ellipsis';
    const intended = el.matches('.text-truncate[title], [title].nav-user');
    if (hides && el.scrollWidth > el.clientWidth + 1 && (el.innerText || '').trim() && !intended) clipped.push(describe(el));
    if (el.children.length === 0 && amount.test((el.innerText || '').trim())) {
      const r = el.getBoundingClientRect();
      const scroller = el.closest('.table-responsive, .overflow-auto, .overflow-x-auto');
      if (!scroller && (r.right > width + 1 || r.left < -1)) offscreen.push(describe(el));
    }
  }
  const nav = document.querySelector('#mainnav > .navbar-nav.me-auto');
  const items = nav && getComputedStyle(nav).flexDirection === 'row' ? [...nav.children].filter(visible) : [];
  const navRows = new Set(items.map((li) => Math.round(li.getBoundingClientRect().top))).size;
  return {scrollWidth: document.documentElement.scrollWidth, width, clipped, offscreen, navRows,
          status: document.title};
}"""


def _pages(role: str) -> list[str]:
    """The main pages of ``role`` in the demo data, as paths."""
    from accounts.models import User
    from procurement.models import PurchaseOrder
    from suppliers.models import MessageThread, Partnership, PartnershipApplication, Product

    if role == "staff":
        return [reverse("reports:platform"), reverse("admin:index"), reverse("admin:suppliers_supplier_changelist"),
                reverse("admin:accounts_profilechange_changelist")]
    user = User.objects.get(email=f"{role}@demo.test")
    org_id = user.membership.organisation_id
    common = [reverse("home"), reverse("partners:thread_list"), reverse("settlement:wallet"), reverse("accounts:organisation"),
              reverse("accounts:profile"), reverse("accounts:notifications"), reverse("api_settings:index"),
              reverse("disputes:list"), reverse("compliance:compliance")]
    thread = MessageThread.objects.filter(**{f"{role}_id": org_id}).first()
    if thread:
        common.append(reverse("partners:thread_detail", args=[thread.pk]))
    if role == "supplier":
        po = PurchaseOrder.objects.filter(supplier_id=org_id).order_by("-total_amount").first()
        product = Product.objects.filter(supplier_id=org_id).first()
        application = PartnershipApplication.objects.filter(supplier_id=org_id).first()
        partnership = Partnership.objects.filter(supplier_id=org_id).first()
        return common + [
            reverse("procurement:supplier_po_list"), reverse("procurement:supplier_po_detail", args=[po.number]),
            reverse("suppliers:product_list"), reverse("suppliers:product_detail", args=[product.pk]),
            reverse("suppliers:tier_list"), reverse("suppliers:terms"), reverse("suppliers:shipping_templates"),
            reverse("suppliers:recruitment_list"), reverse("suppliers:application_list"),
            reverse("suppliers:application_detail", args=[application.pk]) if application else reverse("suppliers:application_list"),
            reverse("suppliers:partnership_list"), reverse("suppliers:partnership_detail", args=[partnership.pk]),
            reverse("resellers:inspections"), reverse("aftersales:supplier_list"), reverse("compliance:rewards_supplier"),
            reverse("reports:supplier_sales"), reverse("reports:supplier_service"), reverse("reports:supplier_stock"),
        ]
    po = PurchaseOrder.objects.filter(reseller_id=org_id).order_by("-total_amount").first()
    listed = Product.objects.filter(status="listed").first()
    return common + [
        reverse("procurement:reseller_po_list"), reverse("procurement:reseller_po_place"),
        reverse("procurement:reseller_po_detail", args=[po.number]), reverse("procurement:saved_addresses"),
        reverse("procurement:order_import_upload"),
        reverse("resellers:catalog"), reverse("resellers:catalog_product", args=[listed.pk]),
        reverse("resellers:store_list"), reverse("resellers:shops"), reverse("resellers:feeds"), reverse("resellers:findings"),
        reverse("partners:reseller_partnerships"), reverse("partners:reseller_applications"), reverse("partners:recruitment_list"),
        reverse("aftersales:reseller_list"), reverse("compliance:rewards_reseller"),
        reverse("reports:reseller_spend"), reverse("reports:reseller_compliance"),
    ]


def _shots_dir() -> Path:
    where = os.environ.get("LAYOUT_SCREENSHOTS") or tempfile.mkdtemp(prefix="layout-screenshots-")
    path = Path(where)
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_pages(browser, base_url: str, roles=("supplier", "reseller", "staff"), shots: Path | None = None) -> list[str]:
    """Visit every page of ``roles`` in each language and width; the problems found (empty: none)."""
    shots = shots or _shots_dir()
    print(f"\nlayout screenshots: {shots}")
    problems: list[str] = []
    for role in roles:
        pages = _pages(role)
        for language, accept in LANGUAGES.items():
            for label, (w, h) in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": w, "height": h}, extra_http_headers={"Accept-Language": accept},
                    locale="en-US" if language == "en" else "zh-TW", is_mobile=label == "phone", has_touch=label == "phone",
                )
                context.set_default_timeout(DEFAULT_TIMEOUT_MS)
                page = context.new_page()
                page.goto(base_url + "/accounts/login/")
                page.fill("input[name=login]", f"{role}@demo.test")
                page.fill("input[name=password]", PASSWORD)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url(lambda u: "/accounts/login/" not in u)
                for path in pages:
                    response = page.goto(base_url + path)  # "load"; then what htmx loads on load (quotes, charts)
                    page.wait_for_function("() => !document.querySelector('.htmx-request')")
                    where = f"{role} {language} {w}px {path}"
                    if response is None or response.status >= 400:
                        problems.append(f"{where}: HTTP {response.status if response else '?'}")
                        continue
                    m = page.evaluate(MEASURE)
                    name = f"{role}-{language}-{w}-{path.strip('/').replace('/', '_') or 'root'}.png"
                    page.screenshot(path=str(shots / name), full_page=True)
                    if m["scrollWidth"] > m["width"]:
                        problems.append(f"{where}: page {m['scrollWidth']}px wide in a {m['width']}px viewport")
                    for el in m["clipped"]:
                        problems.append(f"{where}: clipped {el}")
                    for el in m["offscreen"]:
                        problems.append(f"{where}: amount outside the screen {el}")
                    if label == "desktop" and m["navRows"] > 1:
                        problems.append(f"{where}: navbar links on {m['navRows']} rows")
                context.close()
    return problems


def test_every_main_page_fits_at_1280_and_390_px_in_both_languages(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["*"]
    call_command("seed_demo", stdout=StringIO())

    problems = check_pages(browser, live_server.url)

    assert not problems, "\n".join(problems)
