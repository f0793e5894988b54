"""The after-sales texts stored as a kind plus parameters (notifications, timeline reasons, memos).

Rendered when read, in the reader's language (``distribution.core.texts``). The msgids are the
ones the services formatted before; keep them stable (fix wording in the .po files).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

# --- notifications -------------------------------------------------------------------------------
REQUESTED = register(
    "after_sale.requested",
    title=_("After-sales request %(number)s on purchase order %(po)s: please answer by %(when)s"),
    body="%(description)s",
)
PROPOSED = register("after_sale.proposed", title=_("After-sales %(number)s: the supplier proposes %(amount)s"), body="%(note)s")
REFUSED = register("after_sale.refused", title=_("After-sales %(number)s was refused by the supplier"), body="%(note)s")
AGREED_RETURN = register("after_sale.agreed_return", title=_("After-sales %(number)s agreed: ship the goods back by %(when)s"))
SHIPPED_BACK = register("after_sale.shipped_back", title=_("After-sales %(number)s: goods sent back, %(carrier)s %(tracking)s"))
RETURN_DELIVERED = register(
    "after_sale.return_delivered",
    title=_("After-sales %(number)s: the return was delivered, please confirm its arrival by %(when)s"),
)
EXCHANGE_SHIPPED = register(
    "after_sale.exchange_shipped", title=_("After-sales %(number)s: the replacement shipped, %(carrier)s %(tracking)s")
)
REFUNDED_TO_RESELLER = register("after_sale.refunded_reseller", title=_("After-sales %(number)s: %(amount)s refunded to your wallet"))
REFUNDED_BY_SUPPLIER = register("after_sale.refunded_supplier", title=_("After-sales %(number)s refunded: %(amount)s"))
REFUNDED_BY_SUPPLIER_SHORT = register(
    "after_sale.refunded_supplier_short",
    title=_("After-sales %(number)s refunded: %(amount)s"),
    body=_("Your wallet covered %(paid)s; the remaining %(owed)s will be taken from your next settlements."),
)
ESCALATED = register("after_sale.escalated_notice", title=_("After-sales %(number)s was escalated to the platform"))
WITHDRAWN = register("after_sale.withdrawn", title=_("After-sales %(number)s was withdrawn"))
CLOSED_BY_PLATFORM = register(
    "after_sale.closed_by_platform", title=_("After-sales %(number)s was closed by the platform"), body="%(note)s"
)
CLOSED = register("after_sale.closed_notice", title=_("After-sales %(number)s was closed"), body="%(reason)s")

# --- timeline reasons (AfterSaleTransition.reason, the refund's statement memo) ---------------------
REASON_NO_REASON = register("after_sale.reason.no_reason", title=_("7-day no-reason return"))
REASON_QUALITY = register("after_sale.reason.quality", title=_("Quality problem"))
REASON_WRONG_ITEM = register("after_sale.reason.wrong_item", title=_("Wrong or missing item"))
OPENING_REASONS = {"no_reason": REASON_NO_REASON, "quality": REASON_QUALITY, "wrong_item": REASON_WRONG_ITEM}

REASON_AGREED = register("after_sale.reason.agreed", title=_("Agreed by the supplier."))
REASON_PROPOSED = register("after_sale.reason.proposed", title="%(amount)s %(note)s")
REASON_TRACKING = register("after_sale.reason.tracking", title="%(carrier)s %(tracking)s")
REASON_RETURN_DELIVERED = register("after_sale.reason.return_delivered", title=_("Return delivered on %(when)s."))
REASON_RECEIVED = register("after_sale.reason.received", title=_("Return received by the supplier."))
REASON_RECEIVED_RESTOCKED = register(
    "after_sale.reason.received_restocked", title=_("Return received by the supplier; the goods are back in stock.")
)
REASON_ACCEPTED = register("after_sale.reason.accepted", title=_("Proposal accepted by the reseller."))
REASON_ESCALATED = register("after_sale.reason.escalated", title=_("Escalated to the platform by the reseller."))
REASON_WITHDRAWN = register("after_sale.reason.withdrawn", title=_("Withdrawn by the reseller."))
REASON_DECISION = register("after_sale.reason.decision", title=_("Platform decision: %(note)s"))
REASON_SUPPLIER_SILENT = register(
    "after_sale.reason.supplier_silent", title=_("The supplier did not answer within %(days)s days: agreed.")
)
REASON_RESELLER_SILENT = register(
    "after_sale.reason.reseller_silent", title=_("The reseller did not answer within %(days)s days: closed.")
)
REASON_NOT_RETURNED = register("after_sale.reason.not_returned", title=_("Not shipped back within %(days)s days: closed."))
REASON_NOT_CONFIRMED = register(
    "after_sale.reason.not_confirmed",
    title=_("The supplier did not confirm the arrival within %(days)s days of the return's delivery: refunded."),
)
