"""Builders for procurement tests. POs are made through the real services, so stock and ledger agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from procurement import services
from procurement.models import PurchaseOrder
from suppliers.models import SKU, Partnership
from tests.accounts.factories import MembershipFactory
from tests.resellers.factories import ResellerFactory
from tests.settlement.factories import fund
from tests.suppliers.factories import CooperationTermsFactory, PartnershipFactory, SKUFactory, SupplierFactory, TierFactory

D = Decimal

ADDRESS = {
    "recipient": "張三",
    "mobile": "13800138000",
    "province": "330000",
    "city": "330100",
    "district": "330106",
    "street": "文三路100號",
    "postal_code": "310000",
}


@dataclass
class Trade:
    """A reseller partnered with a supplier that has one SKU in stock."""

    supplier: object
    reseller: object
    sku: SKU
    partnership: Partnership
    supplier_user: object
    reseller_user: object


def make_trade(
    *, on_hand: int = 100, discount: str = "0", shipping: str = "0.00", supplier=None, reseller=None, funds: str | None = None
) -> Trade:
    supplier = supplier or SupplierFactory(commission_rate=D("0.0500"))
    reseller = reseller or ResellerFactory()
    sku = SKUFactory(product__supplier=supplier, on_hand=on_hand)
    if not hasattr(supplier, "terms"):
        CooperationTermsFactory(supplier=supplier, shipping_fee_amount=D(shipping))
    partnership = Partnership.objects.filter(supplier=supplier, reseller=reseller).first() or PartnershipFactory(
        supplier=supplier, reseller=reseller, tier=TierFactory(supplier=supplier, discount_percent=D(discount))
    )
    supplier_user = (supplier.organisation.memberships.first() or MembershipFactory(organisation=supplier.organisation, role="owner")).user
    reseller_user = (reseller.organisation.memberships.first() or MembershipFactory(organisation=reseller.organisation, role="owner")).user
    if funds:
        fund(reseller.organisation, funds)
    return Trade(supplier, reseller, sku, partnership, supplier_user, reseller_user)


def place(trade: Trade, *, quantity: int = 1, retail_price: str = "99.00", now=None, sku=None, ref: str = "TB-1001") -> PurchaseOrder:
    return services.purchase_order_place(
        actor=trade.reseller_user,
        reseller=trade.reseller,
        supplier=trade.supplier,
        lines=[{"sku": sku or trade.sku, "quantity": quantity, "retail_price": D(retail_price)}],
        consumer_order_ref=ref,
        address=dict(ADDRESS),
        now=now,
    )


def reload(po: PurchaseOrder) -> PurchaseOrder:
    return PurchaseOrder.objects.get(pk=po.pk)


def reload_sku(sku: SKU) -> SKU:
    return SKU.objects.get(pk=sku.pk)
