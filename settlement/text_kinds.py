"""The settlement texts stored as a kind plus parameters (notifications, statement memos).

Rendered when read, in the reader's language (``distribution.core.texts``); amounts are
``texts.Money`` so each language shows its own thousands separators.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

REWARD = register("settlement.reward", title=_("You received a reward of %(amount)s"), body="%(note)s")
TOP_UP_CONFIRMED = register(
    "settlement.top_up_confirmed",
    title=_("Top-up of %(amount)s confirmed"),
    body=_("The amount is now available in your wallet."),
)
TOP_UP_REJECTED = register("settlement.top_up_rejected", title=_("Top-up of %(amount)s rejected"), body="%(reason)s")
WITHDRAWAL_PAID = register(
    "settlement.withdrawal_paid",
    title=_("Withdrawal of %(amount)s paid out"),
    body=_("Paid to %(bank)s %(account)s."),
)
WITHDRAWAL_REJECTED = register("settlement.withdrawal_rejected", title=_("Withdrawal of %(amount)s rejected"), body="%(reason)s")
