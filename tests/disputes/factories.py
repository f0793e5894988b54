"""Shipped purchase orders with their money really held in escrow, for dispute tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from procurement.models import PurchaseOrder
from settlement import services as settlement
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.images import png_bytes
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import fund
from tests.suppliers.factories import PartnershipFactory, SupplierFactory

_numbers = itertools.count(1)


def shipped_po(
    *, reseller=None, supplier=None, total: str = "300.00", shipped_at: datetime | None = None, number: str | None = None
) -> PurchaseOrder:
    """A shipped PO whose ``total`` the reseller paid into escrow (funded through the real services)."""
    reseller = reseller or ResellerFactory()
    supplier = supplier or SupplierFactory(commission_rate=Decimal("0.0500"))
    shipped_at = shipped_at or timezone.now()
    total_amount = Decimal(total)
    po = PurchaseOrder.objects.create(
        number=number or f"PO-T{next(_numbers):06d}",
        status=PurchaseOrder.Status.SHIPPED,
        supplier=supplier,
        reseller=reseller,
        consumer_order_ref=f"TB{next(_numbers):08d}",
        goods_amount=total_amount,
        shipping_amount=Decimal("0.00"),
        total_amount=total_amount,
        placed_at=shipped_at - timedelta(days=2),
        pay_by=shipped_at + timedelta(days=5),
        paid_at=shipped_at - timedelta(days=1),
        ship_by=shipped_at + timedelta(days=14),
        shipped_at=shipped_at,
        carrier="SF",
        tracking_number="SF123456789",
        confirm_by=shipped_at + settings.PO_CONFIRM_WITHIN,
        dispute_until=shipped_at + settings.PO_CONFIRM_WITHIN,
        recipient="張三",
        mobile="13800138000",
        province_code="110000",
        city_code="110100",
        district_code="110101",
        street="東城區某街1號",
        postal_code="100000",
    )
    fund(reseller.organisation, total_amount)
    settlement.escrow_hold(reference=po.number, reseller=reseller, supplier=supplier, amount=total_amount, actor=None)
    return po


def member_of(organisation, role: str = "owner"):
    return MembershipFactory(organisation=organisation, role=role).user


def staff_user():
    return UserFactory(is_staff=True, is_superuser=True)


def partner(reseller, supplier):
    return PartnershipFactory(reseller=reseller, supplier=supplier)


PNG = png_bytes()


def png_upload(name: str = "photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")
