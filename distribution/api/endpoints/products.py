"""Supplier product and price writes (an ERP's push): a draft product with its SKUs and prices,
sent to the platform's review as the website's Submit button does.

The writes are ``suppliers.services.catalog``'s (``product_create``, ``product_update``,
``product_submit``): the same checks, review rules (R3: a listed product's title and description
changes wait for review; prices apply at once), audit rows and events as the web pages. The
key acts for the member who created it, who must be an owner or manager.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Router

from distribution.core.divisions import name_of
from distribution.core.errors import DomainError
from distribution.core.money import format_money
from procurement.addresses import address_normalise
from suppliers.models import SKU, Category, Product
from suppliers.services import catalog

from ..auth import SupplierKey
from ..schemas import ProductWriteIn, ProductWriteOut
from ..serializers import iso
from .common import ERRORS, WRITE_ERRORS, actor_of, organisation_of

router = Router(auth=SupplierKey(), tags=["supplier products"])

PRICES = {
    "supply_price": "supply_price_amount",
    "suggested_retail_price": "suggested_retail_amount",
    "min_retail_price": "min_retail_amount",
    "max_retail_price": "max_retail_amount",
}
FIELD_NAMES = {"province_code": "location.province", "city_code": "location.city", "category": "category_id"}


def product_out(product: Product) -> dict[str, Any]:
    skus = list(SKU.objects.filter(product=product).order_by("pk"))
    return {
        "product_id": product.pk,
        "title": product.title,
        "status": product.status,
        "category_id": product.category_id,
        "brand": product.brand,
        "location": {
            "province": name_of(product.province_code),
            "city": name_of(product.city_code),
            "province_code": product.province_code,
            "city_code": product.city_code,
        },
        "is_imported": product.is_imported,
        "skus": [
            {
                "sku_id": s.pk,
                "code": s.code,
                "attributes": s.attributes or {},
                **{api: format_money(getattr(s, model)) for api, model in PRICES.items()},
                "weight_grams": s.weight_grams,
                "on_hand": s.on_hand,
                "updated_at": iso(s.updated_at),
            }
            for s in skus
        ],
        "updated_at": iso(product.updated_at),
    }


def _fields(payload: ProductWriteIn) -> dict[str, Any]:
    """The product's model fields; the location by name (either script) or code, like a shipping address."""
    try:
        location = address_normalise({"province": payload.location.province, "city": payload.location.city})
    except DomainError as exc:
        exc.field = f"location.{exc.field}"
        raise
    return {
        "title": payload.title,
        "description": payload.description,
        "category": Category.objects.filter(pk=payload.category_id).first() if 0 < payload.category_id < 2**63 else None,
        "brand": payload.brand,
        "province_code": location["province"],
        "city_code": location["city"],
        "is_imported": payload.is_imported,
    }


def _sku_values(sku) -> dict[str, Any]:
    return {
        "code": sku.code.strip(),
        "attributes": sku.attributes,
        "weight_grams": sku.weight_grams,
        **{model: Decimal(getattr(sku, api)) for api, model in PRICES.items()},
    }


def _renamed(exc: DomainError, *, sku_index: int | None = None) -> DomainError:
    """The service names model fields (``supply_price_amount``); the API answers with the body's full path."""
    field = exc.field or ""
    api_name = next((api for api, model in PRICES.items() if model == field), field)
    if sku_index is not None and field not in FIELD_NAMES:
        exc.field = f"skus.{sku_index}.{api_name}" if api_name else f"skus.{sku_index}"
    else:
        exc.field = FIELD_NAMES.get(field, api_name) or None
    return exc


def _write(request: HttpRequest, payload: ProductWriteIn, product: Product | None) -> Product:
    actor, supplier = actor_of(request), organisation_of(request).supplier
    fields = _fields(payload)
    with transaction.atomic():
        existing = {s.code: s for s in SKU.objects.filter(product=product)} if product is not None else {}
        inputs, updates = [], {}
        for i, sku in enumerate(payload.skus):
            values = _sku_values(sku)
            if values["code"] in existing:
                updates[existing[values["code"]].pk] = (i, values)
            else:
                inputs.append((i, catalog.SKUInput(**values, on_hand=sku.on_hand)))
        try:
            if product is None:
                product = catalog.product_create(actor=actor, supplier=supplier, fields=fields, skus=[s for _i, s in inputs])
            else:
                changes = catalog.ProductChanges(
                    fields=fields, new_skus=[s for _i, s in inputs], sku_updates={pk: v for pk, (_i, v) in updates.items()}
                )
                product = catalog.product_update(actor=actor, product=product, changes=changes)
        except DomainError as exc:
            raise _renamed(exc, sku_index=_sku_of(exc, inputs, updates, payload)) from None
        if payload.submit and product.status in (Product.Status.DRAFT, Product.Status.REJECTED):
            try:
                product = catalog.product_submit(actor=actor, product=product)
            except DomainError as exc:
                raise _renamed(exc) from None
    return product


def _sku_of(exc: DomainError, inputs, updates, payload: ProductWriteIn) -> int | None:
    """Which SKU of the body a SKU check refused: the message or field is about one of them."""
    if exc.field in {"title", "description", "category", "province_code", "city_code", "skus", None}:
        return None
    # the services check SKUs in the body's order: the first one whose own check fails is the culprit
    for i, sku in enumerate(payload.skus):
        try:
            values = _sku_values(sku)
            catalog._check_sku_input(0, catalog.SKUInput(**values, on_hand=sku.on_hand))
        except DomainError:
            return i
    codes = [s.code.strip() for s in payload.skus]
    return next((i for i, code in enumerate(codes) if code and code in exc.message), 0)


@router.post("products/", response={201: ProductWriteOut, **WRITE_ERRORS}, summary="Create a product with its SKUs and prices")
def create_product(request: HttpRequest, payload: ProductWriteIn):
    """A new draft; with ``submit`` (the default) it goes to the platform's review at once."""
    return 201, product_out(_write(request, payload, None))


@router.put("products/{product_id}", response={200: ProductWriteOut, **WRITE_ERRORS}, summary="Update a product, its SKUs and prices")
def update_product(request: HttpRequest, product_id: int, payload: ProductWriteIn):
    """SKUs are matched by code: known codes are updated (prices apply at once, even while listed),
    new codes added. A listed product's title or description change waits for review (R3)."""
    return product_out(_write(request, payload, _own(request, product_id)))


@router.get("products/{product_id}", response={200: ProductWriteOut, **ERRORS}, summary="One of this supplier's products")
def get_supplier_product(request: HttpRequest, product_id: int):
    return product_out(_own(request, product_id))


def _own(request: HttpRequest, product_id: int) -> Product:
    product = Product.objects.filter(supplier_id=organisation_of(request).pk, pk=product_id).first() if 0 < product_id < 2**63 else None
    if product is None:
        raise Http404
    return product
