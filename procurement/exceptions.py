"""Domain errors of purchase orders (stable codes for the API, see API.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.errors import DomainError, InvalidState, ValidationFailed


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    default_message = _("Not enough stock.")


class NoPartnership(DomainError):
    code = "no_partnership"
    status = 422
    default_message = _("You have no active partnership with this supplier.")


class MixedSuppliers(DomainError):
    code = "mixed_suppliers"
    status = 422
    default_message = _("A purchase order holds the SKUs of one supplier only.")


class PriceOutOfRange(DomainError):
    code = "price_out_of_range"
    status = 422
    default_message = _("The retail price is outside the supplier's range.")


class OrderingSuspended(DomainError):
    code = "ordering_suspended"
    status = 403
    default_message = _("Your organisation is suspended from placing purchase orders.")


__all__ = [
    "InsufficientStock",
    "InvalidState",
    "MixedSuppliers",
    "NoPartnership",
    "OrderingSuspended",
    "PriceOutOfRange",
    "ValidationFailed",
]
