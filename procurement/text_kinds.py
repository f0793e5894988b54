"""The purchase-order texts stored as a kind plus parameters (notifications, timeline reasons).

Rendered when read, in the reader's language (``distribution.core.texts``). The msgids are the
ones the services formatted before; keep them stable (fix wording in the .po files).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from distribution.core.texts import register

# --- notifications -------------------------------------------------------------------------------
PLACED = register("purchase_order.placed", title=_("New purchase order %(number)s from %(reseller)s (awaiting payment)"))
PAID = register("purchase_order.paid", title=_("Purchase order %(number)s is paid: please ship by %(ship_by)s"))
CANCELLED_BY_RESELLER = register("purchase_order.cancelled_by_reseller", title=_("Purchase order %(number)s was cancelled by the reseller"))
CLOSED_UNPAID = register("purchase_order.closed_unpaid", title=_("Purchase order %(number)s was closed unpaid"))
SHIPPED = register("purchase_order.shipped", title=_("Purchase order %(number)s shipped: %(carrier)s %(tracking)s"))
PACKAGE_SHIPPED = register(
    "purchase_order.package_shipped",
    title=_("Purchase order %(number)s: a package shipped (%(carrier)s %(tracking)s), more to follow"),
)
TRACKING_CORRECTED = register(
    "purchase_order.tracking_corrected",
    title=_("Purchase order %(number)s: tracking corrected to %(new)s (was %(old)s)"),
)
REFUNDED_UNSHIPPED_REST = register(
    "purchase_order.refunded_unshipped_rest",
    title=_("Purchase order %(number)s: %(amount)s refunded for the goods not shipped in time"),
    body=_("What was shipped stays on its way; receipt is confirmed automatically on %(when)s."),
)
CANCELLED_BY_SUPPLIER = register(
    "purchase_order.cancelled_by_supplier",
    title=_("Purchase order %(number)s was cancelled by the supplier and refunded"),
    body="%(reason)s",
)
REFUNDED_UNSHIPPED = register("purchase_order.refunded_unshipped", title=_("Purchase order %(number)s was refunded: not shipped in time"))
COMPLETED = register("purchase_order.completed", title=_("Purchase order %(number)s completed: payment released"))
CONFIRMED_AUTOMATICALLY = register(
    "purchase_order.confirmed_automatically", title=_("Purchase order %(number)s was confirmed automatically")
)
# One notification per organisation and recipient for the POs a timer's batch changed when they are
# several (``numbers``: the first few, see ``services.timers``); one PO keeps the single-PO text above.
CLOSED_UNPAID_MANY = register(
    "purchase_order.closed_unpaid_many",
    title=ngettext_lazy(
        "%(count)s purchase order was closed unpaid: %(numbers)s", "%(count)s purchase orders were closed unpaid: %(numbers)s", "count"
    ),
)
REFUNDED_UNSHIPPED_MANY = register(
    "purchase_order.refunded_unshipped_many",
    title=ngettext_lazy(
        "%(count)s purchase order was refunded, not shipped in time: %(numbers)s",
        "%(count)s purchase orders were refunded, not shipped in time: %(numbers)s",
        "count",
    ),
)
COMPLETED_MANY = register(
    "purchase_order.completed_many",
    title=ngettext_lazy(
        "%(count)s purchase order completed, payment released: %(numbers)s",
        "%(count)s purchase orders completed, payments released: %(numbers)s",
        "count",
    ),
)
CONFIRMED_AUTOMATICALLY_MANY = register(
    "purchase_order.confirmed_automatically_many",
    title=ngettext_lazy(
        "%(count)s purchase order was confirmed automatically: %(numbers)s",
        "%(count)s purchase orders were confirmed automatically: %(numbers)s",
        "count",
    ),
)
REMINDER_PAY = register(
    "purchase_order.reminder_pay",
    title=_("Pay purchase order %(number)s by %(when)s or it will be closed"),
    body=_("Pay purchase order %(number)s by %(when)s or it will be closed"),
)
REMINDER_SHIP = register(
    "purchase_order.reminder_ship",
    title=_("Ship purchase order %(number)s by %(when)s or it will be refunded"),
    body=_("Ship purchase order %(number)s by %(when)s or it will be refunded"),
)
REMINDER_CONFIRM = register(
    "purchase_order.reminder_confirm",
    title=_("Purchase order %(number)s will be confirmed automatically on %(when)s"),
    body=_("Purchase order %(number)s will be confirmed automatically on %(when)s"),
)
ADDRESS_CHANGED = register(
    "purchase_order.address_changed",
    title=_("Purchase order %(number)s: shipping address changed"),
    body="%(address)s",
)
AUTO_PAY_FAILED = register(
    "purchase_order.auto_pay_failed",
    title=_("Purchase order %(number)s was not paid automatically"),
    body=_("Your wallet balance %(balance)s does not cover the total %(total)s. Top up and pay by %(pay_by)s."),
)
DISPUTED = register("purchase_order.disputed", title=_("Purchase order %(number)s is in dispute"), body="%(reason)s")
DISPUTE_WITHDRAWN = register("purchase_order.dispute_withdrawn", title=_("The dispute on purchase order %(number)s was withdrawn"))
DISPUTE_SETTLED = register(
    "purchase_order.dispute_settled", title=_("The dispute on purchase order %(number)s was settled"), body="%(reason)s"
)

# --- timeline reasons (PurchaseOrderTransition.reason, PurchaseOrder.status_reason, statement memos) --
REASON_NOT_PAID = register("purchase_order.reason.not_paid", title=_("Not paid within %(days)s days (R9)."))
REASON_NOT_SHIPPED = register("purchase_order.reason.not_shipped", title=_("Not shipped within %(days)s days of payment (R14)."))
REASON_AUTO_CONFIRMED = register(
    "purchase_order.reason.auto_confirmed", title=_("Confirmed automatically %(days)s days after shipping (R16).")
)
REASON_CANCELLED_BY_RESELLER = register("purchase_order.reason.cancelled_by_reseller", title=_("Cancelled by the reseller."))
REASON_RECEIPT_CONFIRMED = register("purchase_order.reason.receipt_confirmed", title=_("Receipt confirmed by the reseller."))
REASON_DISPUTE_WITHDRAWN = register("purchase_order.reason.dispute_withdrawn", title=_("Dispute withdrawn."))
REASON_SHIPPED = register("purchase_order.reason.shipped", title="%(carrier)s %(tracking)s")
REASON_PACKAGE_SHIPPED = register("purchase_order.reason.package_shipped", title=_("Package %(n)s shipped: %(label)s"))
REASON_LAST_PACKAGE_SHIPPED = register(
    "purchase_order.reason.last_package_shipped", title=_("Last package (%(n)s) shipped: %(label)s")
)
REASON_TRACKING_CORRECTED = register("purchase_order.reason.tracking_corrected", title=_("Tracking corrected: %(old)s → %(new)s"))
REASON_NOT_SHIPPED_REST = register(
    "purchase_order.reason.not_shipped_rest",
    title=_("The rest was not shipped within %(days)s days of payment (R14): %(amount)s refunded, the packages shipped go on."),
)
REASON_SPLIT = register("purchase_order.reason.split", title=_("Refund %(refund)s, release %(release)s"))
