"""The reports' texts stored as a kind plus parameters (the weekly digest's email and notice)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

WEEKLY_DIGEST = register(
    "reports.weekly_digest",
    title=_("Weekly channel digest, %(supplier)s, week of %(day)s"),
    body=_("The week's sales per reseller, new applications, unanswered messages, disputes and after-sales, penalties and findings."),
)
