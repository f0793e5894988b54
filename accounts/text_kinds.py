"""Accounts texts stored as a kind plus parameters (notifications): company profile review (R2)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

PROFILE_CHANGE_APPROVED = register(
    "profile_change.approved",
    title=_("Your company profile change was approved"),
    body=_("Now in force: %(values)s."),
)
PROFILE_CHANGE_REJECTED = register(
    "profile_change.rejected", title=_("Your company profile change was rejected"), body="%(reason)s"
)
