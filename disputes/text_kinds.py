"""The dispute texts stored as a kind plus parameters (notifications, timeline reasons)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

OPENED = register("dispute.opened", title=_("Dispute opened on purchase order %(number)s"), body="%(description)s")
OFFER = register("dispute.offer", title=_("New offer on dispute %(number)s: refund %(refund)s"))
SETTLED = register(
    "dispute.settled", title=_("Dispute %(number)s settled: %(refund)s refunded, %(release)s released"), body="%(reason)s"
)
WITHDRAWN = register("dispute.withdrawn", title=_("Dispute %(number)s was withdrawn"))
ESCALATED = register("dispute.escalated", title=_("Dispute %(number)s was escalated to the platform"))
ESCALATED_LATE = register(
    "dispute.escalated_late", title=_("Dispute %(number)s was not settled in 30 days and went to the platform")
)
REASON_OFFER_ACCEPTED = register("dispute.reason.offer_accepted", title=_("Offer accepted"))
