"""Every write on purchase orders: placing, paying, shipping, cancelling, confirming, disputes, timers.

Each public service is one ``transaction.atomic`` block. Services that change an
existing PO lock its row first (``select_for_update``), re-check its state and turn a
refused transition into ``InvalidState`` ("This purchase order was already paid."),
so a double click, a timer and a user racing on one PO make exactly one transition
and one ledger movement. Stock is moved with conditional ``UPDATE`` statements in
SKU primary-key order, so available stock never goes below zero. Money moves only
through ``settlement.services`` with the PO number as the reference.
"""

from ..addresses import address_clean, saved_address_create, saved_address_delete  # noqa: F401
from ._base import *  # noqa: F403
from ._base import _lock, _notify, _now, _record  # noqa: F401
from .disputes import *  # noqa: F403
from .lifecycle import *  # noqa: F403
from .lifecycle import REMINDERS, _pay_locked  # noqa: F401
from .placing import *  # noqa: F403
from .quoting import *  # noqa: F403
from .shipping import *  # noqa: F403
