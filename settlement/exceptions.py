"""Domain errors raised by the settlement services."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from distribution.core.errors import DomainError, InvalidState
from distribution.core.money import format_money


class InsufficientBalance(DomainError):
    """A wallet does not hold enough to pay; nothing was posted."""

    code = "insufficient_balance"
    status = 409
    default_message = _("Insufficient balance.")

    def __init__(self, *, available: Decimal | None = None, required: Decimal | None = None, message: str | None = None) -> None:
        self.available = available
        self.required = required
        if message is None and available is not None and required is not None:
            message = _("Insufficient balance: %(required)s needed, %(available)s available (short by %(short)s).") % {
                "required": format_money(required),
                "available": format_money(available),
                "short": format_money(required - available),
            }
        super().__init__(message)


class EscrowNotFound(DomainError):
    code = "escrow_not_found"
    status = 404
    default_message = _("No escrow is held for this reference.")


class EscrowConflict(DomainError):
    code = "escrow_conflict"
    status = 409
    default_message = _("An escrow hold already exists for this reference with different details.")


class EscrowShort(DomainError):
    code = "escrow_insufficient"
    status = 409
    default_message = _("Less money is held in escrow for this reference than requested.")


class SplitMismatch(DomainError):
    code = "split_mismatch"
    status = 422
    default_message = _("The refund and release amounts must add up to the amount held in escrow.")


class UnbalancedTransaction(DomainError):
    """A programming error: the entries of a posting do not sum to zero."""

    code = "unbalanced_transaction"
    status = 500
    default_message = _("A ledger posting did not balance.")


__all__ = [
    "DomainError",
    "EscrowConflict",
    "EscrowNotFound",
    "EscrowShort",
    "InsufficientBalance",
    "InvalidState",
    "SplitMismatch",
    "UnbalancedTransaction",
]
