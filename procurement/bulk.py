"""Bulk shipping from a warehouse CSV: validated row by row, all or none."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from distribution.core.errors import DomainError, ValidationFailed
from suppliers.models import Supplier

from .models import PurchaseOrder
from .services import _now, purchase_order_ship


class BulkShipFailed(ValidationFailed):
    """Some rows of a bulk ship upload are wrong; nothing was shipped. ``errors``: [(row number, message)]."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__(_("%(count)s rows have errors; nothing was shipped.") % {"count": len(errors)}, field="file")


def purchase_orders_bulk_ship(*, actor, supplier: Supplier, rows: list[list[str]], now: datetime | None = None) -> list[PurchaseOrder]:
    """Ship many POs from CSV rows ``[number, carrier, tracking_number]``: validated row by row, all or none."""
    now = _now(now)
    errors: list[tuple[int, str]] = []
    shipped: list[PurchaseOrder] = []
    seen: set[str] = set()
    with transaction.atomic():
        for row_number, row in enumerate(rows, start=1):
            cells = [cell.strip() for cell in row] + ["", "", ""]
            number, carrier, tracking = cells[0], cells[1], cells[2]
            if not number:
                errors.append((row_number, _("The PO number is missing.")))
                continue
            if number in seen:
                errors.append((row_number, _("%(number)s appears twice.") % {"number": number}))
                continue
            seen.add(number)
            po = PurchaseOrder.objects.filter(supplier=supplier, number=number).first()
            if po is None:
                errors.append((row_number, _("%(number)s is not one of your purchase orders.") % {"number": number}))
                continue
            try:
                with transaction.atomic():
                    shipped.append(purchase_order_ship(actor=actor, purchase_order=po, carrier=carrier, tracking_number=tracking, now=now))
            except DomainError as exc:
                errors.append((row_number, f"{number}: {exc.message}"))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise BulkShipFailed(errors)
    return shipped
