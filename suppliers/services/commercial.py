"""Writes for the commercial terms (issue 16): shipping templates and their region groups, price
breaks, per-reseller price overrides, product lines, per-SKU minimum quantity and order multiple.
Owners and managers only; one transaction each, with an audit row. The rules are in ``suppliers/terms.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_manager
from distribution.core import divisions
from distribution.core.audit import audit
from distribution.core.errors import ValidationFailed
from suppliers.models import (
    SKU,
    CooperationTerms,
    Partnership,
    PriceBreak,
    PriceOverride,
    Product,
    ProductLine,
    ShippingRegionGroup,
    ShippingTemplate,
    Supplier,
    Tier,
)


def _touch_skus(*, sku_ids: list[int] | None = None, product_ids: list[int] | None = None) -> int:
    """Move ``updated_at`` (and so, by the database trigger, ``sync_at``) of the SKUs whose price or visibility just
    changed, in one UPDATE: the API's ``products/`` keyset listing, ``updated_since`` and the feeds show them again."""
    rows = Q(pk__in=list(sku_ids or [])) | Q(product_id__in=list(product_ids or []))
    return SKU.objects.filter(rows).update(updated_at=timezone.now())


def _provinces(codes: list[str], field: str) -> list[str]:
    codes = sorted(set(codes or []))
    if any(not divisions.is_province(code) for code in codes):
        raise ValidationFailed(_("Choose provinces from the list."), field=field)
    return codes


@transaction.atomic
def shipping_template_save(
    *, actor: Any, supplier: Supplier, name: str, basis: str, free_above_amount: Decimal | None, unserved_provinces: list[str],
    template: ShippingTemplate | None = None,
) -> ShippingTemplate:  # fmt: skip
    require_manager(actor, supplier.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if basis not in ShippingTemplate.Basis.values:
        raise ValidationFailed(_("Choose by piece or by weight."), field="basis")
    if free_above_amount is not None and free_above_amount <= 0:
        raise ValidationFailed(_("Leave empty for no free shipping, or enter an amount above 0."), field="free_above_amount")
    template = template or ShippingTemplate(supplier=supplier)
    template.name, template.basis, template.free_above_amount = name, basis, free_above_amount
    template.unserved_provinces = _provinces(unserved_provinces, "unserved_provinces")
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ValidationFailed(_("You already have a template called “%(name)s”.") % {"name": name}, field="name") from None
    audit(actor=actor, action="shipping_template.saved", obj=template, organisation=supplier.organisation, summary=name)
    return template


@transaction.atomic
def shipping_template_use(*, actor: Any, supplier: Supplier, template: ShippingTemplate | None) -> CooperationTerms:
    """Charge shipping by ``template`` from now on (None: back to the flat fee per order)."""
    require_manager(actor, supplier.pk)
    if template is not None and template.supplier_id != supplier.pk:
        raise ValidationFailed(_("Choose one of your templates."), field="template")
    terms, _created = CooperationTerms.objects.select_for_update().get_or_create(supplier=supplier)
    terms.shipping_template = template
    terms.save(update_fields=["shipping_template", "updated_at"])
    audit(actor=actor, action="shipping_template.used", obj=terms, organisation=supplier.organisation,
          summary=template.name if template else "flat")  # fmt: skip
    return terms


@transaction.atomic
def shipping_group_add(
    *, actor: Any, template: ShippingTemplate, provinces: list[str], first_units: int, first_fee: Decimal, additional_units: int,
    additional_fee: Decimal,
) -> ShippingRegionGroup:  # fmt: skip
    require_manager(actor, template.supplier_id)
    provinces = _provinces(provinces, "provinces")
    taken = {code for group in template.groups.all() for code in group.provinces}
    if clash := sorted(set(provinces) & taken):
        raise ValidationFailed(
            _("%(names)s is already in another group of this template.") % {"names": "、".join(divisions.name_of(c) for c in clash)},
            field="provinces",
        )
    if not provinces and template.groups.filter(provinces=[]).exists():
        raise ValidationFailed(_("This template already has a group for everywhere else: choose provinces."), field="provinces")
    if first_units < 1 or additional_units < 1:
        raise ValidationFailed(_("Enter at least 1."), field="first_units" if first_units < 1 else "additional_units")
    if first_fee < 0 or additional_fee < 0:
        raise ValidationFailed(_("A fee cannot be negative."), field="first_fee" if first_fee < 0 else "additional_fee")
    group = ShippingRegionGroup.objects.create(
        template=template, provinces=provinces, first_units=first_units, first_fee=first_fee, additional_units=additional_units,
        additional_fee=additional_fee, position=template.groups.count(),
    )  # fmt: skip
    ShippingTemplate.objects.filter(pk=template.pk).update(updated_at=timezone.now())
    audit(actor=actor, action="shipping_template.group_added", obj=template, organisation=template.supplier.organisation,
          summary=template.name, data={"provinces": provinces})  # fmt: skip
    return group


@transaction.atomic
def shipping_group_delete(*, actor: Any, group: ShippingRegionGroup) -> None:
    require_manager(actor, group.template.supplier_id)
    audit(actor=actor, action="shipping_template.group_deleted", obj=group.template, organisation=group.template.supplier.organisation,
          summary=group.template.name, data={"provinces": group.provinces})  # fmt: skip
    group.delete()


@transaction.atomic
def sku_order_rules_save(*, actor: Any, sku: SKU, min_order_quantity: int, order_multiple: int) -> SKU:
    require_manager(actor, sku.supplier_id)
    if min_order_quantity < 1:
        raise ValidationFailed(_("Enter at least 1."), field="min_order_quantity")
    if order_multiple < 1:
        raise ValidationFailed(_("Enter at least 1."), field="order_multiple")
    SKU.objects.filter(pk=sku.pk).update(min_order_quantity=min_order_quantity, order_multiple=order_multiple, updated_at=timezone.now())
    sku.min_order_quantity, sku.order_multiple = min_order_quantity, order_multiple
    audit(actor=actor, action="sku.order_rules", obj=sku, organisation=sku.supplier.organisation, summary=sku.code,
          data={"min_order_quantity": min_order_quantity, "order_multiple": order_multiple})  # fmt: skip
    return sku


@transaction.atomic
def price_break_add(*, actor: Any, sku: SKU, min_quantity: int, unit_price: Decimal) -> PriceBreak:
    require_manager(actor, sku.supplier_id)
    if min_quantity is None or min_quantity < 2:
        raise ValidationFailed(_("A price break starts at 2 pieces or more."), field="min_quantity")
    if unit_price is None or unit_price <= 0:
        raise ValidationFailed(_("Enter a price above 0."), field="unit_price")
    if unit_price >= sku.supply_price_amount:
        raise ValidationFailed(
            _("A price break is below the supply price (%(price)s).") % {"price": sku.supply_price_amount}, field="unit_price"
        )
    try:
        with transaction.atomic():
            price_break = PriceBreak.objects.create(sku=sku, min_quantity=min_quantity, unit_price=unit_price)
    except IntegrityError:
        raise ValidationFailed(_("There is already a price from %(n)s pieces.") % {"n": min_quantity}, field="min_quantity") from None
    _touch_skus(sku_ids=[sku.pk])
    audit(actor=actor, action="sku.price_break_added", obj=sku, organisation=sku.supplier.organisation, summary=sku.code,
          data={"min_quantity": min_quantity, "unit_price": str(unit_price)})  # fmt: skip
    return price_break


@transaction.atomic
def price_break_delete(*, actor: Any, price_break: PriceBreak) -> None:
    require_manager(actor, price_break.sku.supplier_id)
    audit(actor=actor, action="sku.price_break_deleted", obj=price_break.sku, organisation=price_break.sku.supplier.organisation,
          summary=price_break.sku.code, data={"min_quantity": price_break.min_quantity})  # fmt: skip
    price_break.delete()
    _touch_skus(sku_ids=[price_break.sku_id])


@transaction.atomic
def price_override_set(*, actor: Any, sku: SKU, reseller_id: int, unit_price: Decimal) -> PriceOverride:
    require_manager(actor, sku.supplier_id)
    if not Partnership.objects.live().filter(supplier_id=sku.supplier_id, reseller_id=reseller_id).exists():
        raise ValidationFailed(_("Choose one of your partnered resellers."), field="reseller")
    if unit_price is None or unit_price <= 0:
        raise ValidationFailed(_("Enter a price above 0."), field="unit_price")
    override, _created = PriceOverride.objects.update_or_create(
        sku=sku, reseller_id=reseller_id, defaults={"supplier_id": sku.supplier_id, "unit_price": unit_price}
    )
    _touch_skus(sku_ids=[sku.pk])
    audit(actor=actor, action="sku.price_override_set", obj=sku, organisation=sku.supplier.organisation, summary=sku.code,
          data={"reseller_id": reseller_id, "unit_price": str(unit_price)})  # fmt: skip
    return override


@transaction.atomic
def price_override_delete(*, actor: Any, override: PriceOverride) -> None:
    require_manager(actor, override.supplier_id)
    audit(actor=actor, action="sku.price_override_deleted", obj=override.sku, organisation=override.supplier.organisation,
          summary=override.sku.code, data={"reseller_id": override.reseller_id})  # fmt: skip
    override.delete()
    _touch_skus(sku_ids=[override.sku_id])


@transaction.atomic
def product_line_save(
    *, actor: Any, supplier: Supplier, name: str, product_ids: list[int], tier_ids: list[int], reseller_ids: list[int],
    line: ProductLine | None = None,
) -> ProductLine:  # fmt: skip
    """Create or change a product line: its products are seen only by the chosen tiers and resellers."""
    require_manager(actor, supplier.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    products = set(Product.objects.filter(supplier=supplier, pk__in=product_ids).values_list("pk", flat=True))
    if products != set(product_ids):
        raise ValidationFailed(_("Choose products of your own."), field="products")
    tiers = set(Tier.objects.filter(supplier=supplier, pk__in=tier_ids).values_list("pk", flat=True))
    if tiers != set(tier_ids):
        raise ValidationFailed(_("Choose tiers of your own."), field="tiers")
    partnered = set(
        Partnership.objects.not_terminated().filter(supplier=supplier, reseller_id__in=reseller_ids).values_list("reseller_id", flat=True)
    )
    if partnered != set(reseller_ids):
        raise ValidationFailed(_("Choose one of your partnered resellers."), field="resellers")
    before = set(line.products.values_list("pk", flat=True)) if line is not None and line.pk else set()
    line = line or ProductLine(supplier=supplier)
    line.name = name
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError:
        raise ValidationFailed(_("You already have a product line called “%(name)s”.") % {"name": name}, field="name") from None
    line.products.set(sorted(products))
    line.tiers.set(sorted(tiers))
    line.resellers.set(sorted(partnered))
    # who sees these products (and, for the products leaving the line, who sees them again) may have changed
    _touch_skus(product_ids=sorted(before | products))
    audit(actor=actor, action="product_line.saved", obj=line, organisation=supplier.organisation, summary=name,
          data={"products": sorted(products), "tiers": sorted(tiers), "resellers": sorted(partnered)})  # fmt: skip
    return line


@transaction.atomic
def product_line_delete(*, actor: Any, line: ProductLine) -> None:
    """The line's products become visible to every partner again."""
    require_manager(actor, line.supplier_id)
    audit(actor=actor, action="product_line.deleted", obj=line, organisation=line.supplier.organisation, summary=line.name)
    product_ids = list(line.products.values_list("pk", flat=True))
    line.delete()
    _touch_skus(product_ids=product_ids)
