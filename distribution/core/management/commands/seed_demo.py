"""Idempotent demo data: every page of the product has something to show.

Each app contributes a ``demo`` module (or package) with ``seed(ctx)``; an entry
``module:function`` names another function. They run in the order below and share
``ctx`` (a dict of the objects made so far). Running it twice
changes nothing the second time. Prints the fixed demo logins and API keys.
"""

from __future__ import annotations

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = [
    "accounts.demo",
    "suppliers.demo.profiles",
    "resellers.demo:seed_profiles",
    "suppliers.demo",
    "suppliers.demo.partnerships",
    "resellers.demo",
    "settlement.demo",
    "procurement.demo",
    "compliance.demo",
    "disputes.demo",
    "aftersales.demo",
    "distribution.api.demo",
    "suppliers.demo.terms",  # last: the POs above keep the plain terms
]

DEMO_PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = "Load idempotent demo data and print the demo logins."

    def handle(self, *args, **options) -> None:
        ctx: dict = {"password": DEMO_PASSWORD, "lines": []}
        with transaction.atomic():
            for entry in DEMO_MODULES:
                name, _, function = entry.partition(":")
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name is None or not name.startswith(exc.name):
                        raise  # a real import error inside an existing demo module
                    continue
                getattr(module, function or "seed")(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Logins (password {DEMO_PASSWORD}):")
        for email, what in [
            ("supplier@demo.test", "supplier owner"),
            ("supplier2@demo.test", "second supplier owner"),
            ("reseller@demo.test", "reseller owner (partnered with both suppliers)"),
            ("reseller2@demo.test", "second reseller owner"),
            ("reseller3@demo.test", "third reseller owner (applied to the first supplier)"),
            ("staff@demo.test", "platform staff, /admin/"),
        ]:
            self.stdout.write(f"  {email:<22} {what}")
        for line in ctx["lines"]:
            self.stdout.write(f"  {line}")
