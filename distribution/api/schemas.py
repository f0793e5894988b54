"""Request and answer shapes of API v1 (they generate the OpenAPI schema).

Money travels as strings with two decimals (``"128.00"``), times as ISO 8601
with offset. Add fields freely; never rename or remove one (API.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

Money = str
# Times are rendered by ``iso()`` (platform time zone, with offset and microseconds),
# so an ``updated_at`` can be sent back as ``updated_since`` exactly.
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-11-28T21:53:19.376123+08:00"})]
# PostgreSQL text cannot hold NUL; the schema says so, so clients (and fuzzers) know.
NO_NUL = r"^[^\x00]*$"


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    request_id: str | None = None  # the X-Request-ID of the answer: quote it when reporting a problem


class ErrorOut(Schema):
    error: ErrorBody


class Ref(Schema):
    id: int
    name: str


class Location(Schema):
    province: str
    city: str
    province_code: str
    city_code: str


class ProductOut(Schema):
    sku_id: int
    code: str
    product_id: int
    title: str
    attributes: dict[str, Any]
    supplier: Ref
    category: str
    location: Location
    images: list[str]
    supply_price: Money = Field(..., description="Your supply price for one piece: your own price, else your tier's")
    price_breaks: list[dict[str, Any]] = Field(
        default_factory=list, description='Quantity price breaks: [{"min_quantity": 10, "supply_price": "40.50"}] (your tier applied)'
    )
    min_order_quantity: int = 1
    order_multiple: int = 1
    suggested_retail_price: Money
    min_retail_price: Money
    max_retail_price: Money
    available: int
    status: str = Field(..., description="listed / delisted")
    updated_at: DateTime


class ProductPage(Schema):
    results: list[ProductOut]
    next_cursor: str | None


class InventoryOut(Schema):
    sku_id: int
    code: str
    available: int
    updated_at: DateTime


class InventoryPage(Schema):
    results: list[InventoryOut]
    next_cursor: str | None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


class AccountOut(Schema):
    organisation: OrganisationOut
    balance: Money
    held: Money
    currency: str


class SupplierSkuOut(Schema):
    sku_id: int
    code: str
    product_id: int
    title: str
    attributes: dict[str, Any]
    on_hand: int
    reserved: int
    available: int
    supply_price: Money
    suggested_retail_price: Money
    min_retail_price: Money
    max_retail_price: Money
    is_active: bool
    updated_at: DateTime


class SupplierSkuPage(Schema):
    results: list[SupplierSkuOut]
    next_cursor: str | None


class StockIn(Schema):
    on_hand: int = Field(..., ge=0, le=2_000_000_000)


class AddressIn(Schema):
    recipient: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    mobile: str = Field(..., min_length=1, max_length=20, pattern=NO_NUL)
    province: str = Field(
        ..., min_length=1, max_length=50, pattern=NO_NUL, description="GB/T 2260 province code (330000) or name (浙江省, 浙江)"
    )
    city: str = Field(
        ..., min_length=1, max_length=50, pattern=NO_NUL, description="GB/T 2260 city code (330100) or name in either script (杭州市)"
    )
    district: str = Field(
        "", max_length=50, pattern=NO_NUL, description="GB/T 2260 district code (330106) or name in either script (西湖區)"
    )
    street: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    postal_code: str = Field("", description="Six digits; filled from the district when left out", pattern=r"^([0-9]{6})?$")


class AddressOut(Schema):
    recipient: str
    mobile: str
    province: str
    city: str
    district: str
    street: str
    postal_code: str
    province_name: str
    city_name: str
    district_name: str


class LineIn(Schema):
    sku_id: int
    quantity: int = Field(..., ge=1, le=100_000)
    retail_price: str = Field(..., description='Consumer price, e.g. "99.00"', pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$")


class PurchaseOrderIn(Schema):
    consumer_order_ref: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL)
    shipping_address: AddressIn
    lines: list[LineIn] = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=500, pattern=NO_NUL)


class LineOut(Schema):
    sku_id: int
    code: str
    title: str
    quantity: int
    unit_price: Money
    retail_price: Money
    line_amount: Money


class PurchaseOrderOut(Schema):
    number: str
    status: str
    supplier: Ref
    reseller: Ref
    consumer_order_ref: str
    shipping_address: AddressOut
    lines: list[LineOut]
    goods_amount: Money
    shipping_amount: Money
    shipping_breakdown: dict[str, Any] = Field(
        default_factory=dict,
        description='How the shipping was computed: {"method": "flat", "amount"} or {"method": "template", "template", '
        '"basis" (piece/weight), "region", "units", "first_units", "first_fee", "additional_units", "additional_fee", '
        '"additional_steps", "charged", "free_above", "free", "amount"}',
    )
    total_amount: Money
    note: str
    placed_at: DateTime
    pay_by: DateTime
    paid_at: DateTime | None
    ship_by: DateTime | None
    shipped_at: DateTime | None
    carrier: str
    tracking_number: str
    confirm_by: DateTime | None
    completed_at: DateTime | None
    closed_at: DateTime | None
    refunded_at: DateTime | None
    updated_at: DateTime


class PurchaseOrderPlacedOut(PurchaseOrderOut):
    duplicate_of: list[str] = Field(
        default_factory=list,
        description="Numbers of this reseller's earlier purchase orders with the same consumer_order_ref "
        "(empty when this is the first): the order was placed, check that it is not a double.",
    )


class QuoteLineOut(Schema):
    sku_id: int
    code: str
    title: str
    quantity: int
    unit_price: Money
    price_source: str = Field(..., description="override (your own price), break (a quantity price break) or tier")
    line_amount: Money
    available: int


class QuoteOut(Schema):
    supplier: Ref
    lines: list[QuoteLineOut]
    goods_amount: Money
    shipping_amount: Money
    shipping_breakdown: dict[str, Any]
    total_amount: Money


class PurchaseOrderPage(Schema):
    results: list[PurchaseOrderOut]
    next_cursor: str | None


class ShipIn(Schema):
    carrier: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    tracking_number: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, pattern=NO_NUL)
