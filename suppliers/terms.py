"""Commercial terms that hold: the rules and the arithmetic, in one place (issue 16).

Every placing path (web form, cart, API, order import) reaches ``OrderTerms.quote`` through
``procurement.services.placing._place_locked``; the quote endpoint and the PO form's live
quote call the same function, so a reseller sees before placing exactly what placing charges.

What a supplier sets, and what it means:

* **Shipping regions** (``CooperationTerms.shipping_regions``, province codes; empty = all):
  an order to any other province is refused (field ``province``, the API's
  ``shipping_address.province``).
* **Minimum order amount** (``CooperationTerms.minimum_order_amount``): the goods of one PO
  (what the reseller pays for the goods, shipping excluded) must reach it (field ``lines``).
* **Per-SKU minimum quantity and order multiple** (``SKU.min_order_quantity``,
  ``SKU.order_multiple``): field ``lines.N.quantity``.
* **Supply price per line**: a reseller's own price (``PriceOverride``) wins; otherwise the
  quantity price break (``PriceBreak``, 階梯價) the line's quantity reaches, else the SKU's
  supply price, less the reseller's tier discount.
* **Shipping**: the supplier's shipping template (``ShippingTemplate``, 運費模板) when set, else
  the flat fee per order. A template finds the group naming the province (else the group
  with no provinces: the rest of the country); a province in ``unserved_provinces`` or in no
  group is not served. By piece the units are the pieces, by weight the grams (SKU weight ×
  quantity): the first ``first_units`` cost ``first_fee``, each further ``additional_units``
  started cost ``additional_fee``. Goods of at least ``free_above_amount`` ship free.
* **Product lines** (``ProductLine``, 產品線): a product in any line is visible only to the
  resellers named on one of its lines or whose live partnership's tier is; everyone else
  sees nothing of it (``hidden_product_ids``), and ordering it answers "does not exist".

The guard query reads all of this for the ordered SKUs (``guard_annotations``): placing
costs no extra statement for terms, templates, breaks, overrides or product lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from distribution.core.divisions import name_of
from distribution.core.errors import ValidationFailed
from distribution.core.money import ZERO, money

from .models import SKU, CooperationTerms, Partnership, PriceBreak, PriceOverride, ProductLine, ShippingRegionGroup, ShippingTemplate
from .pricing import tier_supply_price

# --- the arithmetic ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegionGroup:
    provinces: tuple[str, ...]
    first_units: int
    first_fee: Decimal
    additional_units: int
    additional_fee: Decimal

    @property
    def label(self) -> str:
        return "、".join(name_of(code) for code in self.provinces) if self.provinces else _("Everywhere else")


@dataclass(frozen=True)
class Template:
    name: str
    basis: str  # "piece" / "weight"
    free_above: Decimal | None
    unserved: tuple[str, ...] = ()
    groups: tuple[RegionGroup, ...] = ()

    def group_for(self, province: str) -> RegionGroup | None:
        if province in self.unserved:
            return None
        for group in self.groups:
            if province in group.provinces:
                return group
        return next((group for group in self.groups if not group.provinces), None)


class NotServed(ValidationFailed):
    pass


def template_shipping(template: Template, *, province: str, pieces: int, grams: int, goods: Decimal) -> dict[str, Any]:
    """The shipping of one PO under ``template``, as the breakdown stored on the PO (``amount`` is the fee)."""
    group = template.group_for(province)
    if group is None:
        raise NotServed(
            _("%(supplier_template)s does not ship to %(province)s.") % {"supplier_template": template.name, "province": name_of(province)},
            field="province",
        )
    units = pieces if template.basis == "piece" else grams
    extra_steps = 0
    if units > group.first_units:
        extra_steps = int((Decimal(units - group.first_units) / group.additional_units).to_integral_value(ROUND_CEILING))
    fee = money(group.first_fee + group.additional_fee * extra_steps)
    free = template.free_above is not None and goods >= template.free_above
    return {
        "method": "template",
        "template": template.name,
        "basis": template.basis,
        "region": group.label,  # in the placer's language; readers see ``breakdown_shown`` (from ``region_provinces``)
        "region_provinces": list(group.provinces),
        "units": units,
        "first_units": group.first_units,
        "first_fee": str(money(group.first_fee)),
        "additional_units": group.additional_units,
        "additional_fee": str(money(group.additional_fee)),
        "additional_steps": extra_steps,
        "charged": str(fee),
        "free_above": str(money(template.free_above)) if template.free_above is not None else None,
        "free": free,
        "amount": str(ZERO if free else fee),
    }


def breakdown_shown(breakdown: dict[str, Any] | None) -> dict[str, Any]:
    """A stored shipping breakdown with its region named in the reader's language (rows stored before
    ``region_provinces`` keep the name they were stored with)."""
    shown = dict(breakdown or {})
    if shown.get("method") == "template" and "region_provinces" in shown:
        shown["region"] = RegionGroup(tuple(shown["region_provinces"]), 1, ZERO, 1, ZERO).label
    return shown


def flat_shipping(fee: Decimal | None) -> dict[str, Any]:
    amount = money(fee) if fee is not None else ZERO
    return {"method": "flat", "amount": str(amount)}


def line_unit_price(
    *, supply_price: Decimal, discount: Decimal, quantity: int, breaks: list[tuple[int, Decimal]], override: Decimal | None
) -> tuple[Decimal, str]:
    """The reseller's supply price for one line and where it comes from: ``override``, ``break`` or ``tier``."""
    if override is not None:
        return money(override), "override"
    base, source = supply_price, "tier"
    for min_quantity, price in sorted(breaks):
        if quantity >= min_quantity:
            base, source = price, "break"
    return tier_supply_price(base, discount or ZERO), source


@dataclass(frozen=True)
class ResellerPrice:
    """What one reseller pays for one SKU before ordering: the price of one piece (``source``: ``override`` or
    ``tier``) and, without an own price, the price breaks as (from quantity, unit price), tier applied. The
    same arithmetic as a PO line (``line_unit_price``): the catalog, the feeds and the API show these numbers."""

    unit: Decimal
    source: str
    breaks: tuple[tuple[int, Decimal], ...] = ()


def reseller_price(
    *, supply_price: Decimal, discount: Decimal | None, breaks: list[tuple[int, Decimal]], override: Decimal | None
) -> ResellerPrice:
    def at(quantity: int) -> tuple[Decimal, str]:
        return line_unit_price(supply_price=supply_price, discount=discount or ZERO, quantity=quantity, breaks=breaks, override=override)

    unit, source = at(1)
    shown = () if override is not None else tuple((quantity, at(quantity)[0]) for quantity, _price in sorted(breaks))
    return ResellerPrice(unit=unit, source=source, breaks=shown)


def reseller_price_of(row: Any, *, supply_price: Decimal, discount: Decimal | None) -> ResellerPrice:
    """The ``ResellerPrice`` of a row annotated with ``price_annotations`` (a SKU, or a store-list entry)."""
    breaks = price_breaks_of(row.terms_breaks)
    return reseller_price(supply_price=supply_price, discount=discount, breaks=breaks, override=row.terms_override)


def price_breaks_of(raw: Any) -> list[tuple[int, Decimal]]:
    """(from quantity, unit price) of the ``terms_breaks`` annotation."""
    return [(int(b["q"]), Decimal(str(b["p"]))) for b in (_json(item) for item in (raw or []))]


# --- the rules on one PO ------------------------------------------------------------------


@dataclass
class Quote:
    """What one PO costs: unit price per line, goods, shipping and its breakdown."""

    unit_prices: list[Decimal]
    price_sources: list[str]
    goods: Decimal
    shipping: Decimal
    breakdown: dict[str, Any]

    @property
    def total(self) -> Decimal:
        return self.goods + self.shipping


@dataclass
class OrderTerms:
    """One supplier's terms for one reseller, as the guard query read them, per SKU where they differ."""

    minimum_order: Decimal = ZERO
    regions: tuple[str, ...] = ()
    flat_fee: Decimal | None = None
    template: Template | None = None
    breaks: dict[int, list[tuple[int, Decimal]]] = field(default_factory=dict)
    overrides: dict[int, Decimal] = field(default_factory=dict)

    @classmethod
    def from_guard(cls, rows: list[Any]) -> OrderTerms:
        """From SKU rows carrying ``guard_annotations`` (the first row carries the supplier's terms)."""
        first = rows[0]
        template = None
        raw = _json(getattr(first, "terms_template", None))
        if raw:
            groups = tuple(
                RegionGroup(
                    provinces=tuple(g.get("provinces") or ()),
                    first_units=int(g["first_units"]),
                    first_fee=Decimal(str(g["first_fee"])),
                    additional_units=int(g["additional_units"]),
                    additional_fee=Decimal(str(g["additional_fee"])),
                )
                for g in (_json(item) for item in (getattr(first, "terms_groups", None) or []))
            )
            free_above = raw.get("free_above")
            template = Template(
                name=raw["name"],
                basis=raw["basis"],
                free_above=Decimal(str(free_above)) if free_above is not None else None,
                unserved=tuple(raw.get("unserved") or ()),
                groups=groups,
            )
        minimum = getattr(first, "terms_minimum_order", None)
        return cls(
            minimum_order=Decimal(minimum) if minimum is not None else ZERO,
            regions=tuple(_json(getattr(first, "terms_regions", None)) or ()),
            flat_fee=getattr(first, "shipping_fee", None),
            template=template,
            breaks={row.pk: price_breaks_of(row.terms_breaks) for row in rows},
            overrides={row.pk: row.terms_override for row in rows if getattr(row, "terms_override", None) is not None},
        )

    def quote(self, *, lines: list[tuple[int, Any, int]], discount: Decimal, province: str | None) -> Quote:
        """Check and price one PO's ``lines`` (position, SKU, quantity) to ``province``; raises ``ValidationFailed``
        naming ``province``, ``lines.N.quantity`` or ``lines``. ``province=None`` (not chosen yet, the live
        quote only) skips the region checks and shipping."""
        if province is not None and self.regions and province not in self.regions:
            raise NotServed(
                _("This supplier ships only to %(regions)s, not to %(province)s.")
                % {"regions": "、".join(name_of(code) for code in self.regions), "province": name_of(province)},
                field="province",
            )
        units: list[Decimal] = []
        sources: list[str] = []
        pieces = grams = 0
        for position, sku, quantity in lines:
            if getattr(sku, "product_hidden", False):
                raise ValidationFailed(_("This SKU does not exist."), field=f"lines.{position}.sku_id")
            minimum = getattr(sku, "min_order_quantity", 1) or 1
            multiple = getattr(sku, "order_multiple", 1) or 1
            if quantity < minimum:
                raise ValidationFailed(
                    _("%(code)s is sold from %(n)s pieces per order.") % {"code": sku.code, "n": minimum},
                    field=f"lines.{position}.quantity",
                )
            if quantity % multiple:
                raise ValidationFailed(
                    _("%(code)s is sold in multiples of %(n)s.") % {"code": sku.code, "n": multiple}, field=f"lines.{position}.quantity"
                )
            unit, source = line_unit_price(
                supply_price=sku.supply_price_amount,
                discount=discount,
                quantity=quantity,
                breaks=self.breaks.get(sku.pk, []),
                override=self.overrides.get(sku.pk),
            )
            units.append(unit)
            sources.append(source)
            pieces += quantity
            grams += (sku.weight_grams or 0) * quantity
        goods = sum((money(unit * quantity) for unit, (_p, _s, quantity) in zip(units, lines, strict=True)), ZERO)
        if goods < self.minimum_order:
            raise ValidationFailed(
                _("This supplier's minimum order is %(minimum)s; these goods come to %(goods)s.")
                % {"minimum": money(self.minimum_order), "goods": goods},
                field="lines",
            )
        if province is None:
            breakdown: dict[str, Any] = {"method": "pending", "amount": None}
            shipping = ZERO
        elif self.template is not None:
            breakdown = template_shipping(self.template, province=province, pieces=pieces, grams=grams, goods=goods)
            shipping = Decimal(breakdown["amount"])
        else:
            breakdown = flat_shipping(self.flat_fee)
            shipping = Decimal(breakdown["amount"])
        return Quote(unit_prices=units, price_sources=sources, goods=goods, shipping=shipping, breakdown=breakdown)


def _json(value: Any) -> Any:
    if isinstance(value, str | bytes):
        return json.loads(value)
    return value


# --- reading the terms in the guard query ------------------------------------------------


def _live_q(prefix: str, now: datetime) -> Q:
    return Q(**{f"{prefix}status": Partnership.Status.ACTIVE}) | Q(
        **{f"{prefix}status": Partnership.Status.TERMINATION_PENDING, f"{prefix}ends_at__gt": now}
    )


def granted_lines(reseller_id: int | None, now: datetime) -> QuerySet[ProductLine]:
    """The product lines ``reseller_id`` may see: named on them, or its live partnership's tier is."""
    if reseller_id is None:
        return ProductLine.objects.none()
    by_tier = Q(tiers__partnerships__reseller_id=reseller_id) & _live_q("tiers__partnerships__", now)
    return ProductLine.objects.filter(Q(resellers__pk=reseller_id) | by_tier)


def hidden_product_ids(reseller_id: int | None, now: datetime) -> QuerySet:
    """Ids of the products ``reseller_id`` may not see (in a product line not granted to it): a subquery."""
    through = ProductLine.products.through
    granted = through.objects.filter(productline_id__in=granted_lines(reseller_id, now).values("pk")).values("product_id")
    return through.objects.exclude(product_id__in=granted).values("product_id")


def product_hidden(reseller_id: int | None, now: datetime, product_ref: Any = None) -> Exists:
    """Whether the product ``product_ref`` (default: the row's ``product_id``) is hidden from ``reseller_id``."""
    product_ref = product_ref if product_ref is not None else OuterRef("product_id")
    through = ProductLine.products.through
    in_line = through.objects.filter(product_id=product_ref)
    granted = through.objects.filter(product_id=product_ref, productline_id__in=granted_lines(reseller_id, now).values("pk"))
    return Exists(in_line) & ~Exists(granted)


def guard_annotations(*, reseller_id: int, now: datetime) -> dict[str, Any]:
    """Annotations for a SKU queryset: the supplier's terms, template and groups, the SKU's price breaks,
    the reseller's override, and whether a product line hides the product from the reseller."""
    terms = CooperationTerms.objects.filter(supplier_id=OuterRef("supplier_id"))
    template = ShippingTemplate.objects.filter(used_by_terms__supplier_id=OuterRef("supplier_id"))
    groups = ShippingRegionGroup.objects.filter(template__used_by_terms__supplier_id=OuterRef("supplier_id")).order_by("position", "id")
    return {
        "terms_minimum_order": Subquery(terms.values("minimum_order_amount")[:1]),
        "terms_regions": Subquery(terms.values("shipping_regions")[:1]),
        "terms_template": Subquery(
            template.values(json=JSONObject(name="name", basis="basis", free_above="free_above_amount", unserved="unserved_provinces"))[:1]
        ),
        "terms_groups": ArraySubquery(
            groups.values(
                json=JSONObject(
                    provinces="provinces",
                    first_units="first_units",
                    first_fee="first_fee",
                    additional_units="additional_units",
                    additional_fee="additional_fee",
                )
            )
        ),
        **price_annotations(reseller_id),
        "product_hidden": product_hidden(reseller_id, now),
    }


def price_annotations(reseller_id: int, *, sku_ref: str = "pk") -> dict[str, Any]:
    """Annotations for ``reseller_price_of``: the SKU's price breaks (``terms_breaks``) and ``reseller_id``'s own price
    (``terms_override``). ``sku_ref`` names the SKU's id on the annotated rows (``"sku_id"`` on store-list entries)."""
    return {
        "terms_breaks": ArraySubquery(
            PriceBreak.objects.filter(sku_id=OuterRef(sku_ref))
            .order_by("min_quantity")
            .values(json=JSONObject(q="min_quantity", p="unit_price"))
        ),
        "terms_override": Subquery(
            PriceOverride.objects.filter(sku_id=OuterRef(sku_ref), reseller_id=reseller_id).values("unit_price")[:1]
        ),
    }


def own_price_ranges(reseller_id: int, product_ids: list[int], now: datetime) -> dict[int, tuple[Decimal, Decimal]]:
    """The lowest and highest price of one piece (``reseller_price``) per product, for the products among
    ``product_ids`` where ``reseller_id`` has an own price on a SKU; elsewhere the tier's range holds. One query."""
    if not product_ids:
        return {}
    owned = PriceOverride.objects.filter(reseller_id=reseller_id, sku__product_id__in=list(product_ids)).values("sku__product_id")
    live = Partnership.objects.live(now).filter(reseller_id=reseller_id, supplier_id=OuterRef("supplier_id"))
    skus = (
        SKU.objects.filter(product_id__in=owned, is_active=True)
        .annotate(discount=Subquery(live.values("tier__discount_percent")[:1]), **price_annotations(reseller_id))
        .only("product_id", "supply_price_amount")
    )
    ranges: dict[int, tuple[Decimal, Decimal]] = {}
    for sku in skus:
        if sku.discount is None:  # not partnered (any more): no price shown
            continue
        unit = reseller_price_of(sku, supply_price=sku.supply_price_amount, discount=sku.discount).unit
        low, high = ranges.get(sku.product_id, (unit, unit))
        ranges[sku.product_id] = (min(low, unit), max(high, unit))
    return ranges


def skus_visible_to(qs: QuerySet, reseller_id: int | None, now: datetime, *, product_field: str = "product_id") -> QuerySet:
    """``qs`` without the rows whose product a product line hides from ``reseller_id`` (None: an outsider)."""
    return qs.exclude(**{f"{product_field}__in": hidden_product_ids(reseller_id, now)})


def terms_summary(terms: CooperationTerms | None) -> dict[str, Any]:
    """Every term, for the supplier profile, the application page and the PO form."""
    if terms is None:
        return {"regions": [], "minimum_order": ZERO, "flat_fee": ZERO, "template": None, "groups": []}
    template = terms.shipping_template
    groups = []
    if template is not None:
        for g in template.groups.all():
            groups.append(
                {
                    "label": RegionGroup(tuple(g.provinces), g.first_units, g.first_fee, g.additional_units, g.additional_fee).label,
                    "group": g,
                }
            )
    return {
        "regions": [name_of(code) for code in terms.shipping_regions],
        "minimum_order": terms.minimum_order_amount,
        "flat_fee": terms.shipping_fee_amount,
        "template": template,
        "unserved": [name_of(code) for code in (template.unserved_provinces if template else [])],
        "groups": groups,
    }
