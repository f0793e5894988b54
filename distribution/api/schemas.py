"""Request and answer shapes of API v1 (they generate the OpenAPI schema).

Money travels as strings with two decimals (``"128.00"``), times as ISO 8601
with offset. Add fields freely; never rename or remove one (API.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, WithJsonSchema

from procurement.models import PurchaseOrder
from suppliers.models import Partnership

from .errors import ERROR_CODES
from .webhooks import EVENT_TYPES, PRODUCT_CHANGES

Money = str
# Times are rendered by ``iso()`` (platform time zone, with offset and microseconds),
# so an ``updated_at`` can be sent back as ``updated_since`` exactly.
DateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time", "example": "2026-11-28T21:53:19.376123+08:00"})]
# PostgreSQL text cannot hold NUL; the schema says so, so clients (and fuzzers) know.
NO_NUL = r"^[^\x00]*$"


PoStatus = Literal[tuple(PurchaseOrder.Status.values)]
ProductStatus = Literal["listed", "delisted"]
OrganisationKind = Literal["supplier", "reseller"]
EventType = Literal[tuple(EVENT_TYPES)]
ErrorCode = Literal[tuple(ERROR_CODES)]
ProductChange = Literal[tuple(PRODUCT_CHANGES)]


class ErrorBody(Schema):
    code: ErrorCode
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
    status: ProductStatus = Field(..., description="listed / delisted")
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
    kind: OrganisationKind


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
    model_config = ConfigDict(json_schema_extra={"examples": [{"on_hand": 120}]})

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


PO_EXAMPLE = {
    "consumer_order_ref": "TB-20261128-0001",
    "shipping_address": {
        "recipient": "張三",
        "mobile": "13800138000",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "street": "文三路100號",
        "postal_code": "310000",
    },
    "lines": [{"sku_id": 1, "quantity": 2, "retail_price": "99.00"}],
    "note": "請於週末前送達",
}


class PurchaseOrderIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [PO_EXAMPLE]})

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
    variant: dict[str, str] = Field(default_factory=dict, description="The SKU's variant attributes (size, colour …)")


class PackageLineOut(Schema):
    code: str
    quantity: int


class PackageOut(Schema):
    id: int
    carrier_code: str = Field(..., description="A code of GET carriers/, or other (then carrier is free text)")
    carrier: str
    tracking_number: str
    tracking_url: str = Field(..., description="The carrier's tracking page, empty for carriers not listed")
    shipped_at: DateTime
    corrected_at: DateTime | None
    lines: list[PackageLineOut]


class PurchaseOrderOut(Schema):
    number: str
    status: PoStatus
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
    tracking_url: str = Field("", description="The latest package's tracking page (empty for carriers not listed)")
    packages: list[PackageOut] = Field(default_factory=list, description="Every package shipped, with its lines")
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
    model_config = ConfigDict(json_schema_extra={"examples": [{"carrier": "順豐速運", "tracking_number": "SF1234567890"}]})

    carrier: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    tracking_number: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)


class CancelIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "倉庫缺貨，無法於期限內出貨"}]})

    reason: str = Field(..., min_length=1, max_length=500, pattern=NO_NUL)


class PackageIn(Schema):
    carrier: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL, description="A carrier code of GET carriers/ or its name")
    tracking_number: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    lines: list[PackageLineOut] = Field(..., min_length=1, max_length=100, description="SKU codes and quantities in this package")


class TrackingCorrectionIn(Schema):
    package_id: int | None = Field(None, description="The package to correct; the latest when omitted")
    carrier: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    tracking_number: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)


class CarrierOut(Schema):
    code: str
    name: str
    url_template: str


class AfterSaleLineOut(Schema):
    code: str
    title: str
    variant: dict[str, str]
    quantity: int
    amount: Money


class AfterSaleOut(Schema):
    number: str
    purchase_order: str
    status: str
    kind: str
    reason: str
    description: str
    lines: list[AfterSaleLineOut]
    requested_amount: Money
    proposed_amount: Money | None
    agreed_amount: Money | None
    refund_amount: Money
    supplier_note: str
    return_carrier: str
    return_tracking_number: str
    return_tracking_url: str
    exchange_carrier: str
    exchange_tracking_number: str
    opened_at: DateTime
    respond_by: DateTime | None
    reply_by: DateTime | None
    return_by: DateTime | None
    receive_by: DateTime | None
    return_delivered_at: DateTime | None
    restocked: bool
    closed_at: DateTime | None
    updated_at: DateTime


class AfterSalePage(Schema):
    results: list[AfterSaleOut]
    next_cursor: str | None


class AfterSaleLineIn(Schema):
    code: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL)
    quantity: int = Field(..., ge=1, le=100_000)


class AfterSaleIn(Schema):
    purchase_order: str = Field(..., min_length=1, max_length=24, pattern=NO_NUL)
    kind: str = Field(..., description="refund_only, return_refund or exchange")
    reason: str = Field(..., description="no_reason (7-day no-reason return), quality or wrong_item")
    description: str = Field(..., min_length=1, max_length=1000, pattern=NO_NUL)
    lines: list[AfterSaleLineIn] = Field(..., min_length=1, max_length=100)
    amount: str | None = Field(None, pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$", description="Defaults to the lines' value")


class ProposeIn(Schema):
    amount: str = Field(..., pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$")
    note: str = Field("", max_length=500, pattern=NO_NUL)


class RefuseIn(Schema):
    note: str = Field(..., min_length=1, max_length=500, pattern=NO_NUL)


class TrackingIn(Schema):
    carrier: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    tracking_number: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)


class ReceivedIn(Schema):
    carrier: str = Field("", max_length=50, pattern=NO_NUL, description="Exchange: the replacement's carrier")
    tracking_number: str = Field("", max_length=50, pattern=NO_NUL, description="Exchange: the replacement's tracking number")
    restock: bool = Field(True, description="Return and refund: put the returned quantities back on the SKUs' stock (default)")


class DeliveredIn(Schema):
    delivered_at: datetime | None = Field(
        None,
        description="When the carrier delivered the return to the supplier (default now); the supplier's confirmation "
        "deadline runs from it. Unreported, a return counts as delivered AFTERSALES_RETURN_TRANSIT after shipping.",
    )


# --- bulk writes ---------------------------------------------------------------------------

MAX_STOCK_ITEMS = 1000
MAX_SHIP_ITEMS = 500


class StockItemIn(Schema):
    code: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL, description="The SKU's code")
    on_hand: int = Field(..., ge=0, le=2_000_000_000)


class StockBulkIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [{"code": "TEA-250G", "on_hand": 120}, {"code": "TEA-500G", "on_hand": 0}]}]}
    )

    items: list[StockItemIn] = Field(..., min_length=1, max_length=MAX_STOCK_ITEMS)


class ItemError(Schema):
    code: ErrorCode
    message: str
    fields: dict[str, list[str]] = {}


class StockResult(Schema):
    code: str
    ok: bool
    sku: SupplierSkuOut | None = None
    error: ItemError | None = None


class StockBulkOut(Schema):
    results: list[StockResult] = Field(..., description="One per item, in the order sent; each succeeded or failed alone.")
    succeeded: int
    failed: int


class ShipItemIn(Schema):
    number: str = Field(..., min_length=1, max_length=24, pattern=NO_NUL, description="The purchase order's number")
    carrier: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)
    tracking_number: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL)


class ShipBulkIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"number": "PO20261128-000001", "carrier": "順豐速運", "tracking_number": "SF1234567890"},
                        {"number": "PO20261128-000002", "carrier": "中通快遞", "tracking_number": "ZT7788990011"},
                    ]
                }
            ]
        }
    )

    items: list[ShipItemIn] = Field(..., min_length=1, max_length=MAX_SHIP_ITEMS)


class ShipResult(Schema):
    number: str
    ok: bool
    purchase_order: PurchaseOrderOut | None = None
    error: ItemError | None = None


class ShipBulkOut(Schema):
    results: list[ShipResult] = Field(..., description="One per item, in the order sent; each PO is shipped (or not) alone.")
    succeeded: int
    failed: int


# --- events (the webhook payloads, for catch-up) ----------------------------------------------


class EventOut(Schema):
    id: str = Field(..., description="The event's id; the same as the webhook's X-Event-Id")
    type: EventType
    created_at: DateTime
    data: dict[str, Any]


class EventPage(Schema):
    results: list[EventOut]
    next_after: str | None = Field(..., description="Send as `after` for the next page; null when this was the last")


class TestEventOut(Schema):
    event: EventOut
    deliveries: int = Field(..., description="Deliveries queued, one per active endpoint")


# --- supplier product writes -------------------------------------------------------------------

Price = Annotated[str, Field(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$", description='e.g. "128.00"')]


class LocationIn(Schema):
    province: str = Field(
        ..., min_length=1, max_length=50, pattern=NO_NUL, description="Province code (330000) or name in either script (浙江省)"
    )
    city: str = Field(..., min_length=1, max_length=50, pattern=NO_NUL, description="City code (330100) or name in either script (杭州市)")


AttributeText = Annotated[str, Field(max_length=100, pattern=NO_NUL)]


class SkuWriteIn(Schema):
    code: str = Field(..., min_length=1, max_length=64, pattern=NO_NUL)
    attributes: dict[AttributeText, AttributeText] = Field(default_factory=dict, max_length=20, description='e.g. {"規格": "250g"}')
    supply_price: Price
    suggested_retail_price: Price
    min_retail_price: Price
    max_retail_price: Price
    weight_grams: int = Field(0, ge=0, le=1_000_000)
    on_hand: int = Field(0, ge=0, le=2_000_000_000, description="Initial stock (new SKUs only; use the stock endpoints after)")


PRODUCT_EXAMPLE = {
    "title": "西湖龍井 特級 250g",
    "description": "<p>明前採摘，手工炒製。</p>",
    "category_id": 1,
    "brand": "龍井村",
    "location": {"province": "浙江省", "city": "杭州市"},
    "is_imported": False,
    "skus": [
        {
            "code": "LJ-250G",
            "attributes": {"規格": "250g"},
            "supply_price": "128.00",
            "suggested_retail_price": "168.00",
            "min_retail_price": "148.00",
            "max_retail_price": "198.00",
            "weight_grams": 300,
            "on_hand": 50,
        }
    ],
    "submit": True,
}


class ProductWriteIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [PRODUCT_EXAMPLE]})

    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    description: str = Field("", max_length=20_000, pattern=NO_NUL)
    category_id: int
    brand: str = Field("", max_length=100, pattern=NO_NUL)
    location: LocationIn
    is_imported: bool = False
    skus: list[SkuWriteIn] = Field(
        ..., min_length=1, max_length=100, description="Matched by code: new codes are added, known ones updated"
    )
    submit: bool = Field(True, description="Send to the platform's review (as the website's Submit button); false keeps a draft")


class SkuWriteOut(Schema):
    sku_id: int
    code: str
    attributes: dict[str, Any]
    supply_price: Money
    suggested_retail_price: Money
    min_retail_price: Money
    max_retail_price: Money
    weight_grams: int
    on_hand: int
    updated_at: DateTime


class ProductWriteOut(Schema):
    product_id: int
    title: str
    status: Literal["draft", "pending_review", "listed", "rejected", "delisted"]
    category_id: int
    brand: str
    location: Location
    is_imported: bool
    skus: list[SkuWriteOut]
    updated_at: DateTime


# --- webhook payloads (the OpenAPI document's ``webhooks``; GET events/ returns the same) ----------


class ProductUpdatedData(Schema):
    sku_id: int
    code: str
    product_id: int
    changes: list[ProductChange] = Field(
        ...,
        description="What changed, in the API's terms: `available` (stock on hand, or units reserved or released by "
        "purchase orders), `supply_price`, `retail_range` (min/max retail price), `suggested_retail_price`, `status` "
        "(SKU deactivated or product delisted). Changes to one SKU within a few seconds arrive as one event.",
    )
    available: int
    min_retail_price: Money
    max_retail_price: Money
    suggested_retail_price: Money


class PartnershipData(Schema):
    partnership_id: int
    supplier_id: int
    reseller_id: int
    status: Literal[tuple(Partnership.Status.values)]
    ends_at: DateTime | None
    reason: str


class TestData(Schema):
    message: str
    sent_at: DateTime


class PackageShippedData(Schema):
    purchase_order: PurchaseOrderOut
    package: PackageOut


class PreviousTracking(Schema):
    carrier: str
    tracking_number: str


class TrackingCorrectedData(PackageShippedData):
    previous: PreviousTracking = Field(..., description="The carrier and tracking number before the correction")


WEBHOOK_DATA = {
    **{t: PurchaseOrderOut for t in EVENT_TYPES if t.startswith("purchase_order.")},
    "purchase_order.package_shipped": PackageShippedData,
    "purchase_order.tracking_corrected": TrackingCorrectedData,
    **{t: AfterSaleOut for t in EVENT_TYPES if t.startswith("after_sale.")},
    "product.updated": ProductUpdatedData,
    "partnership.terminating": PartnershipData,
    "partnership.terminated": PartnershipData,
    "webhook.test": TestData,
}
