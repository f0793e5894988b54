"""The supplier, catalog and partnership texts stored as a kind plus parameters (notifications)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

# --- supplier review (R2) ---------------------------------------------------------------------
SUPPLIER_APPROVED = register("supplier.approved", title=_("Your supplier account was approved"), body="%(reason)s")
SUPPLIER_SUSPENDED = register("supplier.suspended", title=_("Your supplier account was suspended"), body="%(reason)s")
SUPPLIER_REJECTED = register("supplier.rejected", title=_("Your supplier application was rejected"), body="%(reason)s")

# --- listings ---------------------------------------------------------------------------------
LISTING_APPROVED = register("listing_approved", title=_("Listing approved: %(title)s"))
LISTING_REJECTED = register("listing_rejected", title=_("Listing rejected: %(title)s"), body="%(reason)s")
CHANGES_REJECTED = register("listing_changes_rejected", title=_("Changes rejected: %(title)s"), body="%(reason)s")
LISTING_DELISTED = register("listing_delisted", title=_("Delisted by the platform: %(title)s"), body="%(reason)s")

# --- partnerships -----------------------------------------------------------------------------
APPLICATION_RECEIVED = register(
    "application.received", title=_("New partnership application from %(reseller)s"), body="%(message)s"
)
APPLICATION_APPROVED = register(
    "application.approved", title=_("%(supplier)s approved your application"), body=_("Your tier: %(tier)s.")
)
APPLICATION_REJECTED = register("application.rejected", title=_("%(supplier)s declined your application"), body="%(reason)s")
TERMINATION_NOTICE = register(
    "partnership.termination_notice", title=_("%(supplier)s will end your partnership on %(ends_at)s"), body="%(reason)s"
)
NOTICE_WITHDRAWN = register("partnership.notice_withdrawn", title=_("%(supplier)s withdrew its termination notice"))
TERMINATED = register(
    "partnership.terminated", title=_("The partnership between %(supplier)s and %(reseller)s has ended"), body="%(reason)s"
)
TIER_CHANGED = register("partnership.tier_changed", title=_("%(supplier)s changed your tier to %(tier)s"))
