"""Shipping a PO in one or several packages, and correcting a package's tracking after shipping.

A PO is ``shipped`` when its last package leaves: the auto-confirm (R16) and dispute clocks
start from that package. Until then it stays ``paid``; each package is a timeline row, takes
its quantities off on-hand stock and is told to the reseller. What has not left by ``ship_by`` is
refunded (R14, ``lifecycle._refund_rest_locked``): the PO is then ``shipped`` with the packages
that left, their clocks running from the last of them.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from distribution.core import events, outbox, texts
from distribution.core.audit import audit, audit_batch
from distribution.core.errors import InvalidState, ValidationFailed

from .. import text_kinds as K
from ..carriers import carrier_code
from ..models import Package, PackageLine, PurchaseOrder, PurchaseOrderTransition
from ._base import (
    PurchaseOrderRef,
    Status,
    _actor_label,
    _actor_organisation,
    _expect,
    _fire,
    _lock,
    _move_stock,
    _notify,
    _now,
    _record,
    _save,
    _stock_changed,
)

__all__ = ["CORRECTABLE", "purchase_order_correct_tracking", "purchase_order_ship", "purchase_order_ship_package", "shipped_quantities"]


def _clean_tracking(carrier: str, tracking_number: str) -> tuple[str, str]:
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    if not carrier:
        raise ValidationFailed(_("Enter the carrier."), field="carrier")
    if not tracking_number:
        raise ValidationFailed(_("Enter the tracking number."), field="tracking_number")
    if len(carrier) > 50 or len(tracking_number) > 50:
        raise ValidationFailed(_("50 characters at most."), field="carrier" if len(carrier) > 50 else "tracking_number")
    return carrier, tracking_number


def shipped_quantities(purchase_order_id: int) -> dict[int, int]:
    """line id → quantity already in packages."""
    rows = PackageLine.objects.filter(package__purchase_order_id=purchase_order_id).values("line_id").annotate(q=Sum("quantity"))
    return {row["line_id"]: row["q"] for row in rows}


def _timeline(po: PurchaseOrder, *, actor, now: datetime, reason: str | texts.Text, action: str) -> None:
    """A timeline row that is not a state change (a package, a tracking correction)."""
    PurchaseOrderTransition.objects.create(
        purchase_order=po,
        supplier_id=po.supplier_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor)[:200],
        from_status=po.status,
        to_status=po.status,
        reason=texts.plain(reason, 500),
        reason_text=texts.stored(reason),
        created_at=now,
    )
    summary = f"{po.number}: {texts.plain(reason)}"[:500]
    audit(actor=actor, action=action, obj=po, organisation=_actor_organisation(actor, po), summary=summary)


def _insert_package(po: PurchaseOrder, *, carrier: str, tracking_number: str, quantities: dict[int, int], now: datetime, actor) -> Package:
    """The package and its lines in one statement."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    code = carrier_code(carrier)
    ids = sorted(quantities)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH p AS (INSERT INTO {Package._meta.db_table} "  # noqa: S608 (table names from model metadata, values are parameters)
            "(purchase_order_id, carrier_code, carrier, tracking_number, shipped_at, shipped_by_id) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id) "
            f"INSERT INTO {PackageLine._meta.db_table} (package_id, line_id, quantity) "
            "SELECT p.id, l.id, l.q FROM p, unnest(%s::bigint[], %s::integer[]) AS l(id, q) RETURNING package_id",
            [po.pk, code, carrier, tracking_number, now, actor_id, ids, [quantities[pk] for pk in ids]],
        )
        package_id = cursor.fetchone()[0]
    package = Package(
        id=package_id, purchase_order=po, carrier_code=code, carrier=carrier, tracking_number=tracking_number,
        shipped_at=now, shipped_by_id=actor_id,
    )  # fmt: skip
    package._state.adding = False
    package._state.db = "default"
    return package


def _ship_locked(
    po: PurchaseOrder, *, actor, carrier: str, tracking_number: str, quantities: dict[int, int] | None, now: datetime
) -> Package:
    _expect(po, Status.PAID)
    if po.ship_by and now >= po.ship_by:
        if po.first_shipped_at is None:
            raise InvalidState(_("The shipping deadline has passed; this purchase order is being refunded."))
        raise InvalidState(_("The shipping deadline has passed; what is not shipped yet is being refunded."))
    first = po.first_shipped_at is None
    earlier = getattr(po, "package_rows", None)  # read by _lock(detail=True)
    if earlier is None:
        done = shipped_quantities(po.pk)
    else:
        done = {}
        for p in earlier:
            for line_id, quantity in p.line_quantities.items():
                done[line_id] = done.get(line_id, 0) + quantity
    lines = {line.id: line for line in po.line_rows}
    remaining = {pk: line.quantity - done.get(pk, 0) for pk, line in lines.items()}
    if quantities is None:
        quantities = {pk: left for pk, left in remaining.items() if left > 0}
    else:
        quantities = {int(pk): int(q) for pk, q in quantities.items() if q}
        for pk, quantity in quantities.items():
            if pk not in lines:
                raise ValidationFailed(_("This line is not part of the purchase order."), field="lines")
            if quantity < 0 or quantity > remaining[pk]:
                raise ValidationFailed(
                    _("%(code)s: ship between 0 and %(left)s.") % {"code": lines[pk].code, "left": remaining[pk]}, field="lines"
                )
    if not quantities:
        raise ValidationFailed(_("Choose at least one line and quantity to ship."), field="lines")
    package = _insert_package(po, carrier=carrier, tracking_number=tracking_number, quantities=quantities, now=now, actor=actor)
    package.line_codes = [{"code": lines[pk].code, "quantity": q} for pk, q in sorted(quantities.items())]
    by_sku: dict[int, int] = {}
    for pk, quantity in quantities.items():
        by_sku[lines[pk].sku_id] = by_sku.get(lines[pk].sku_id, 0) + quantity
    _move_stock(by_sku, on_hand=True, now=now)
    _stock_changed(list(by_sku), changes={"on_hand", "reserved"}, now=now)
    everything = all(remaining[pk] - quantities.get(pk, 0) == 0 for pk in lines)
    po.first_shipped_at = po.first_shipped_at or now
    po.carrier, po.tracking_number = carrier, tracking_number  # the latest package's
    if earlier is not None:
        po.package_rows = [*earlier, package]  # what the API answers with, without reading it back
        count = len(po.package_rows)
    else:
        count = 1 if first else Package.objects.filter(purchase_order=po).count()
    label = f"{carrier} {tracking_number}"
    if everything:
        from_status = _fire(po, "ship", now=now)
        _save(po)
        reason = (
            K.REASON_SHIPPED(carrier=carrier, tracking=tracking_number)
            if count == 1
            else K.REASON_LAST_PACKAGE_SHIPPED(n=count, label=label)
        )
        _record(po, actor=actor, from_status=from_status, now=now, reason=reason)
    else:
        _save(po)
        _timeline(
            po, actor=actor, now=now, action="purchase_order.package_shipped",
            reason=K.REASON_PACKAGE_SHIPPED(n=count, label=label),
        )  # fmt: skip
    events.publish(
        "package.shipped",
        now=now,
        purchase_order_id=po.pk,
        package_id=package.pk,
        number=po.number,
        supplier_id=po.supplier_id,
        reseller_id=po.reseller_id,
        complete=everything,
    )
    _notify(
        po,
        to="reseller",
        kind="purchase_order.shipped",
        text=(K.SHIPPED if everything else K.PACKAGE_SHIPPED)(number=po.number, carrier=carrier, tracking=tracking_number),
    )
    return package


def purchase_order_ship(
    *, actor, purchase_order: PurchaseOrder | PurchaseOrderRef, carrier: str, tracking_number: str, now: datetime | None = None
) -> PurchaseOrder:
    """Supplier ships everything not yet shipped of a paid PO as one package: the PO is ``shipped``,
    its stock leaves on-hand and the 30-day auto-confirm starts (R16)."""
    now = _now(now)
    carrier, tracking_number = _clean_tracking(carrier, tracking_number)
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order, detail=True)
        _ship_locked(po, actor=actor, carrier=carrier, tracking_number=tracking_number, quantities=None, now=now)
    return po


def purchase_order_ship_package(
    *,
    actor,
    purchase_order: PurchaseOrder | PurchaseOrderRef,
    carrier: str,
    tracking_number: str,
    quantities: dict[int, int],
    now: datetime | None = None,
) -> Package:
    """Ship some lines and quantities (``quantities``: PO line id → quantity) as one package.

    Quantities above what is left to ship are refused (field ``lines``). The PO becomes
    ``shipped`` when nothing is left; the clocks then run from this package.
    """
    now = _now(now)
    carrier, tracking_number = _clean_tracking(carrier, tracking_number)
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order, detail=True)
        return _ship_locked(po, actor=actor, carrier=carrier, tracking_number=tracking_number, quantities=quantities, now=now)


CORRECTABLE = (Status.PAID, Status.SHIPPED, Status.DISPUTED, Status.COMPLETED)


def purchase_order_correct_tracking(
    *,
    actor,
    purchase_order: PurchaseOrder | PurchaseOrderRef,
    carrier: str,
    tracking_number: str,
    package_id: int | None = None,
    now: datetime | None = None,
) -> Package:
    """Supplier corrects a shipped package's carrier or tracking number (the latest package when
    ``package_id`` is None). The old value stays in the timeline; the reseller is told and a
    webhook goes out (``package.tracking_corrected``)."""
    now = _now(now)
    carrier, tracking_number = _clean_tracking(carrier, tracking_number)
    with transaction.atomic(), audit_batch(), outbox.batch():
        po = _lock(purchase_order)
        _expect(po, *CORRECTABLE)
        packages = Package.objects.select_for_update().filter(purchase_order=po).order_by("-id")
        package = packages.filter(pk=package_id).first() if package_id is not None else packages.first()
        if package is None:
            raise InvalidState(_("Nothing has been shipped yet."))
        if (package.carrier, package.tracking_number) == (carrier, tracking_number):
            raise ValidationFailed(_("This is the tracking already recorded."), field="tracking_number")
        old_carrier, old_tracking = package.carrier, package.tracking_number
        old = f"{old_carrier} {old_tracking}"
        package.carrier, package.carrier_code, package.tracking_number, package.corrected_at = (
            carrier,
            carrier_code(carrier),
            tracking_number,
            now,
        )
        package.save(update_fields=["carrier", "carrier_code", "tracking_number", "corrected_at"])
        latest = packages.values_list("pk", flat=True).first()
        if latest == package.pk:
            po.carrier, po.tracking_number = carrier, tracking_number
            _save(po)
        new = f"{carrier} {tracking_number}"
        _timeline(
            po, actor=actor, now=now, action="purchase_order.tracking_corrected",
            reason=K.REASON_TRACKING_CORRECTED(old=old, new=new),
        )  # fmt: skip
        events.publish(
            "package.tracking_corrected",
            now=now,
            purchase_order_id=po.pk,
            package_id=package.pk,
            number=po.number,
            supplier_id=po.supplier_id,
            reseller_id=po.reseller_id,
            old_carrier=old_carrier,
            old_tracking_number=old_tracking,
        )
        _notify(
            po,
            to="reseller",
            kind="purchase_order.tracking_corrected",
            text=K.TRACKING_CORRECTED(number=po.number, new=new, old=old),
        )
    return package
