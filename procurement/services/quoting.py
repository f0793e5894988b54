"""What an order would cost, before placing it: the quote endpoint and the PO form's live quote.

Reads, never writes. The same checks and the same arithmetic as placing
(``suppliers.terms.OrderTerms.quote``, which placing calls from ``_place_locked``), in one query
for the SKUs with their supplier's terms (no PO number is drawn from the sequence).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts.models import Penalty
from distribution.core.errors import DomainError, ValidationFailed
from distribution.core.money import money
from resellers.models import Reseller
from suppliers.models import SKU, CooperationTerms, Partnership, Product
from suppliers.terms import OrderTerms, Quote, guard_annotations

from ..addresses import address_clean
from ..exceptions import MixedSuppliers, NoPartnership, OrderingSuspended, PriceOutOfRange
from ._base import _now
from .placing import _parse_lines

__all__ = ["SupplierQuote", "purchase_order_quote"]


@dataclass
class SupplierQuote:
    """The quote of the PO one supplier would get: its lines as priced, goods, shipping and its breakdown."""

    supplier_id: int
    supplier_name: str
    lines: list[dict[str, Any]]
    quote: Quote

    @property
    def goods(self) -> Decimal:
        return self.quote.goods

    @property
    def shipping(self) -> Decimal:
        return self.quote.shipping

    @property
    def total(self) -> Decimal:
        return self.quote.total

    @property
    def breakdown(self) -> dict[str, Any]:
        return self.quote.breakdown


def _quoted_skus(reseller_id: int, sku_ids: list[int], now: datetime) -> dict[int, SKU]:
    live = Partnership.objects.live(now).filter(reseller_id=reseller_id, supplier_id=OuterRef("supplier_id"))
    qs = (
        SKU.objects.filter(pk__in=sku_ids)
        .order_by()
        .annotate(
            product_status=F("product__status"),
            product_title=F("product__title"),
            product_approved_title=F("product__approved_title"),
            supplier_status=F("supplier__status"),
            supplier_company_name=F("supplier__company_name"),
            partnership_id=Subquery(live.values("pk")[:1]),
            tier_discount=Subquery(live.values("tier__discount_percent")[:1]),
            shipping_fee=Subquery(CooperationTerms.objects.filter(supplier_id=OuterRef("supplier_id")).values("shipping_fee_amount")[:1]),
            supplier_sanctioned=Exists(Penalty.objects.suspending_listing(now).filter(organisation_id=OuterRef("supplier_id"))),
            ordering_suspended=Exists(Penalty.objects.suspending_ordering(now).filter(organisation_id=reseller_id)),
            **guard_annotations(reseller_id=reseller_id, now=now),
        )
    )
    return {sku.pk: sku for sku in qs}


def purchase_order_quote(
    *,
    reseller: Reseller,
    lines: list[dict[str, Any]],
    address: dict[str, Any] | None,
    province: str | None = None,
    one_supplier: bool = True,
    now: datetime | None = None,
) -> list[SupplierQuote]:
    """The PO(s) these lines would make, priced and checked as placing would, one per supplier.

    ``one_supplier=True`` (the API, whose placing takes one supplier's SKUs) answers
    ``mixed_suppliers`` as placing does. ``address=None`` (the PO form before a province is
    chosen) skips the region checks and shipping, unless ``province`` (a checked code) is given. Raises the errors placing raises, with the
    same fields (``lines.N.…``, ``province`` and the address's fields, ``lines``), except stock,
    which only placing reserves.
    """
    now = _now(now)
    if address is not None:
        province = address_clean(address)["province_code"]
    parsed = _parse_lines(lines)
    skus = _quoted_skus(reseller.pk, [sku_id for sku_id, _q, _p in parsed], now)
    if any(sku.ordering_suspended for sku in skus.values()):
        raise OrderingSuspended()
    groups: OrderedDict[int, list[int]] = OrderedDict()
    for position, (sku_id, _q, _p) in enumerate(parsed):
        sku = skus.get(sku_id)
        if sku is None or sku.product_hidden:
            raise ValidationFailed(_("This SKU does not exist."), field=f"lines.{position}.sku_id")
        if one_supplier and groups and sku.supplier_id not in groups:
            raise MixedSuppliers(
                _("%(code)s is not a product of %(supplier)s; a purchase order holds one supplier's SKUs.")
                % {"code": sku.code, "supplier": skus[parsed[0][0]].supplier_company_name},
                field=f"lines.{position}.sku_id",
            )
        groups.setdefault(sku.supplier_id, []).append(position)
    quotes: list[SupplierQuote] = []
    for supplier_id, positions in groups.items():
        first = skus[parsed[positions[0]][0]]
        if first.supplier_status != "active" or first.supplier_sanctioned:
            raise DomainError(_("%(supplier)s is not taking orders.") % {"supplier": first.supplier_company_name}, code="supplier_inactive")
        if first.partnership_id is None:
            raise NoPartnership(
                _("You have no active partnership with %(supplier)s.") % {"supplier": first.supplier_company_name}, field="lines"
            )
        rows = []
        for position in positions:
            sku_id, quantity, retail_price = parsed[position]
            sku = skus[sku_id]
            field = f"lines.{position}"
            if sku.product_status != Product.Status.LISTED or not sku.is_active:
                raise ValidationFailed(_("%(code)s is not available for distribution.") % {"code": sku.code}, field=f"{field}.sku_id")
            if not (sku.min_retail_amount <= retail_price <= sku.max_retail_amount):
                raise PriceOutOfRange(
                    _("The retail price of %(code)s must be between %(min)s and %(max)s.")
                    % {"code": sku.code, "min": sku.min_retail_amount, "max": sku.max_retail_amount},
                    field=f"{field}.retail_price",
                )
            rows.append((position, sku, quantity))
        quote = OrderTerms.from_guard([sku for _p, sku, _q in rows]).quote(lines=rows, discount=first.tier_discount, province=province)
        quotes.append(
            SupplierQuote(
                supplier_id=supplier_id,
                supplier_name=first.supplier_company_name,
                lines=[
                    {
                        "sku_id": sku.pk,
                        "code": sku.code,
                        "title": sku.product_approved_title or sku.product_title,
                        "quantity": quantity,
                        "unit_price": unit,
                        "price_source": source,
                        "line_amount": money(unit * quantity),
                        "available": sku.available,
                    }
                    for (_p, sku, quantity), unit, source in zip(rows, quote.unit_prices, quote.price_sources, strict=True)
                ],
                quote=quote,
            )
        )
    return quotes
