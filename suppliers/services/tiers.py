"""Writes for reseller tiers (普通 / 銀牌 / 金牌: a discount on supply price) and cooperation terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import require_manager
from distribution.core import divisions
from distribution.core.audit import audit
from distribution.core.errors import InvalidState, ValidationFailed
from suppliers.models import ChannelType, CooperationTerms, Partnership, Supplier, Tier


def _check_tier(supplier: Supplier, name: str, discount_percent: Decimal, *, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if discount_percent is None or not Decimal("0") <= discount_percent <= Decimal("90"):
        raise ValidationFailed(_("The discount must be between 0 and 90 percent."), field="discount_percent")
    clash = Tier.objects.filter(supplier=supplier, name=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed(_("You already have a tier called “%(name)s”.") % {"name": name}, field="name")
    return name


@transaction.atomic
def tier_create(*, actor: Any, supplier: Supplier, name: str, discount_percent: Decimal, position: int = 0) -> Tier:
    require_manager(actor, supplier.pk)
    name = _check_tier(supplier, name, discount_percent)
    try:
        with transaction.atomic():
            tier = Tier.objects.create(supplier=supplier, name=name, discount_percent=discount_percent, position=position)
    except IntegrityError:
        raise ValidationFailed(_("You already have a tier called “%(name)s”.") % {"name": name}, field="name") from None
    audit(actor=actor, action="tier.created", obj=tier, organisation=supplier.organisation,
          summary=f"{name} {discount_percent}%")  # fmt: skip
    return tier


@transaction.atomic
def tier_update(*, actor: Any, tier: Tier, name: str, discount_percent: Decimal, position: int | None = None) -> Tier:
    """Rename a tier or change its discount; partnerships on the tier get the new price from now on."""
    require_manager(actor, tier.supplier_id)
    tier = Tier.objects.select_for_update().select_related("supplier__organisation").get(pk=tier.pk)
    before = {"name": tier.name, "discount_percent": str(tier.discount_percent)}
    tier.name = _check_tier(tier.supplier, name, discount_percent, exclude_pk=tier.pk)
    tier.discount_percent = discount_percent
    if position is not None:
        tier.position = position
    discount_changed = tier.discount_percent != Decimal(before["discount_percent"])
    tier.save()
    if discount_changed:
        # Every partnership on the tier has a new price: its ``updated_at`` is the floor of the API's and the
        # feeds' ``updated_since``, so resellers syncing by it fetch their SKUs of this supplier again (one UPDATE).
        Partnership.objects.filter(tier=tier).update(updated_at=timezone.now())
    audit(actor=actor, action="tier.updated", obj=tier, organisation=tier.supplier.organisation,
          summary=tier.name, data={"before": before, "after": {"name": tier.name, "discount_percent": str(discount_percent)}})  # fmt: skip
    return tier


@transaction.atomic
def tier_delete(*, actor: Any, tier: Tier) -> None:
    """Delete a tier no partnership or recruitment post uses."""
    require_manager(actor, tier.supplier_id)
    tier = Tier.objects.select_for_update().select_related("supplier__organisation").get(pk=tier.pk)
    organisation = tier.supplier.organisation
    audit(actor=actor, action="tier.deleted", obj=tier, organisation=organisation, summary=tier.name)
    try:
        with transaction.atomic():
            tier.delete()
    except ProtectedError:
        raise InvalidState(_("This tier is used by partnerships or recruitment posts; move them to another tier first.")) from None


@transaction.atomic
def cooperation_terms_save(
    *,
    actor: Any,
    supplier: Supplier,
    text: str,
    accepted_channel_types: list[str],
    minimum_order_amount: Decimal,
    shipping_fee_amount: Decimal,
    shipping_regions: list[str],
    return_policy: str,
) -> CooperationTerms:
    """Create or replace the supplier's cooperation terms. Empty shipping regions = nationwide."""
    require_manager(actor, supplier.pk)
    bad_channels = [c for c in accepted_channel_types if c not in ChannelType.values]
    if bad_channels:
        raise ValidationFailed(_("Choose channel types from the list."), field="accepted_channel_types")
    bad_regions = [code for code in shipping_regions if not divisions.is_province(code)]
    if bad_regions:
        raise ValidationFailed(_("Choose provinces from the list."), field="shipping_regions")
    for name, amount in (("minimum_order_amount", minimum_order_amount), ("shipping_fee_amount", shipping_fee_amount)):
        if amount is None or amount < 0 or amount.as_tuple().exponent < -2:
            raise ValidationFailed(_("Enter an amount of zero or more with at most two decimals."), field=name)
    terms, _created = CooperationTerms.objects.select_for_update().get_or_create(supplier=supplier)
    terms.text = text.strip()
    terms.accepted_channel_types = list(dict.fromkeys(accepted_channel_types))
    terms.minimum_order_amount = minimum_order_amount
    terms.shipping_fee_amount = shipping_fee_amount
    terms.shipping_regions = sorted(set(shipping_regions))
    terms.return_policy = return_policy.strip()
    terms.save()
    audit(actor=actor, action="terms.saved", obj=terms, organisation=supplier.organisation, summary=str(supplier))
    return terms
