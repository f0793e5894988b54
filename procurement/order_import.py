"""Order intake from a reseller's shops: an order export (CSV or XLSX, UTF-8 or GBK) becomes purchase orders.

1. ``order_import_create`` reads the file as a stream (CSV through a decoding reader,
   XLSX through openpyxl's read-only mode), maps its columns (a built-in layout of
   Taobao/Tmall, JD, Pinduoduo or Shopify, or the reseller's saved mapping), checks each
   row (shop item code, quantity, price within the supplier's range, stock, address,
   duplicates, formula-looking cells) and stores it with its outcome, 1,000 rows per
   INSERT. Nothing is placed.
2. The reseller fixes or skips rows on the preview (``order_import_row_fix`` /
   ``order_import_row_skip``), then ``order_import_place`` hands the import to the worker
   through the outbox (queue ``imports``).
3. In the worker ``order_import_run`` places one consumer order at a time, each in its own
   transaction with a ``ShopOrder`` row (unique per shop + consumer order reference), so a
   re-uploaded file or a second worker never places an order twice, and a failure halfway
   leaves every placed order intact and lists the rest as not placed.
"""

from __future__ import annotations

import codecs
import csv
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from distribution.core import outbox
from distribution.core.audit import audit
from distribution.core.errors import DomainError, InvalidState, ValidationFailed
from distribution.core.money import money
from resellers.models import Reseller, Shop, StoreListing

from .address_parser import parse_address
from .addresses import address_clean
from .models import OrderImport, OrderImportMapping, OrderImportRow, PurchaseOrder, ShopOrder

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
BATCH = 1000
TOPIC = "order_import.place"
QUEUE = "imports"
Outcome = OrderImportRow.Outcome

FIELDS = {
    "consumer_order_ref": gettext_lazy("Consumer order number"),
    "item_code": gettext_lazy("Shop item code"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "line_total": gettext_lazy("Line total"),
    "recipient": gettext_lazy("Recipient"),
    "mobile": gettext_lazy("Mobile number"),
    "address": gettext_lazy("Full address"),
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "district": gettext_lazy("District"),
    "street": gettext_lazy("Street address"),
    "street2": gettext_lazy("Street address, second line"),
    "postal_code": gettext_lazy("Postal code"),
    "note": gettext_lazy("Note"),
}
REQUIRED = ("consumer_order_ref", "item_code", "quantity")
ADDRESS_PARTS = ("recipient", "mobile", "address", "province", "city", "district", "street", "street2", "postal_code")


@dataclass(frozen=True)
class Layout:
    key: str
    label: Any
    columns: dict[str, str]  # field → header as the platform names it


# Column headers as the platforms' order exports name them.
LAYOUTS: dict[str, Layout] = {
    layout.key: layout
    for layout in (
        Layout(
            "taobao",
            gettext_lazy("Taobao / Tmall order report (订单报表)"),
            {
                "consumer_order_ref": "订单编号", "item_code": "商家编码", "quantity": "购买数量", "unit_price": "价格",
                "recipient": "收货人姓名", "mobile": "联系手机", "address": "收货地址", "note": "买家留言",
            },
        ),
        Layout(
            "jd",
            gettext_lazy("JD.com order export"),
            {
                "consumer_order_ref": "订单号", "item_code": "商品货号", "quantity": "订购数量", "unit_price": "京东价",
                "recipient": "客户姓名", "mobile": "联系电话", "address": "客户地址", "note": "订单备注",
            },
        ),
        Layout(
            "pinduoduo",
            gettext_lazy("Pinduoduo order export"),
            {
                "consumer_order_ref": "订单号", "item_code": "商家编码-SKU维度", "quantity": "商品数量(件)",
                "line_total": "商品总价(元)", "recipient": "收货人", "mobile": "手机", "province": "省", "city": "市",
                "district": "区", "street": "街道", "note": "商家备注",
            },
        ),
        Layout(
            "shopify",
            gettext_lazy("Shopify orders export"),
            {
                "consumer_order_ref": "Name", "item_code": "Lineitem sku", "quantity": "Lineitem quantity",
                "unit_price": "Lineitem price", "recipient": "Shipping Name", "mobile": "Shipping Phone",
                "province": "Shipping Province", "city": "Shipping City", "street": "Shipping Address1",
                "street2": "Shipping Address2", "postal_code": "Shipping Zip", "note": "Notes",
            },
        ),
    )
}  # fmt: skip


class OrderFileRejected(ValidationFailed):
    """The file as a whole cannot be read (encoding, columns, size, emptiness); nothing was stored."""


def _norm_header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value if value is not None else "").replace("\ufeff", "")).strip()


# --- reading --------------------------------------------------------------------------------


def _detect_encoding(head: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030 (GBK's superset), judged by decoding the first 64 KB strictly."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)  # a character cut at the 64 KB edge is fine
            return encoding
        except UnicodeDecodeError:
            continue
    raise OrderFileRejected(_("The file is neither UTF-8 nor GBK text. Save it as CSV (UTF-8) or XLSX and upload again."), field="file")


def _csv_rows(file: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    """CSV records, decoded line by line (a newline byte never occurs inside a UTF-8 or GBK character),
    so a line in another encoding is named by its number and memory stays flat."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    line_number = 0

    def lines() -> Iterator[str]:
        nonlocal line_number
        for line_number, raw in enumerate(file, start=1):  # noqa: B007 - read by the error message
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                raise OrderFileRejected(
                    _("Row %(row)d is not valid %(encoding)s text; save the whole file in one encoding (UTF-8 or GBK).")
                    % {"row": line_number, "encoding": "UTF-8" if codec == "utf-8" else "GBK"},
                    field="file",
                ) from None
            yield text.lstrip("\ufeff") if line_number == 1 else text

    reader = csv.reader(lines())
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise OrderFileRejected(
            _("Row %(row)d cannot be read as CSV: %(error)s") % {"row": reader.line_num + 1, "error": exc}, field="file"
        ) from None


def _xlsx_rows(file: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same user mistake
        raise OrderFileRejected(_("The file cannot be opened as an XLSX workbook."), field="file") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def read_rows(file: IO[bytes], name: str) -> tuple[str, Iterator[tuple[int, list[Any]]]]:
    """(encoding or "xlsx", an iterator of (row number, cells)) for an uploaded order file."""
    from distribution.core.uploads import file_size

    size = file_size(file)
    if size == 0:
        raise OrderFileRejected(_("The file is empty."), field="file")
    if size > MAX_FILE_BYTES:
        raise OrderFileRejected(
            _("The file is %(size)d MB; order files may be %(max)d MB at most. Split it and upload the parts.")
            % {"size": size // (1024 * 1024), "max": MAX_FILE_BYTES // (1024 * 1024)},
            field="file",
        )
    file.seek(0)
    head = file.read(65536)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx", _xlsx_rows(file)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise OrderFileRejected(_("Old Excel files (.xls) are not read; save the sheet as XLSX or CSV."), field="file")
    encoding = _detect_encoding(head)
    return encoding, _csv_rows(file, encoding)


# --- cells ----------------------------------------------------------------------------------

_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # Taobao writes long order numbers as ="3012…" so Excel keeps every digit
_NUMBERISH = re.compile(r"^[+-]?[\d\s().-]+$")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lstrip("\t").strip()
    match = _EXCEL_TEXT.match(text)
    if match:
        text = match.group(1).strip()
    if text.startswith("'") and len(text) > 1 and text[1] in "=+-@":
        text = text[1:]  # our own formula-safe exports, re-imported
    return text


def _looks_like_formula(text: str) -> bool:
    return bool(text) and text[0] in "=+-@" and not _NUMBERISH.match(text)


@dataclass
class Mapping:
    label: str
    columns: dict[str, str]

    def index(self, header: list[str]) -> dict[str, int]:
        positions = {h: i for i, h in reversed(list(enumerate(header))) if h}
        return {f: positions[h] for f, h in self.columns.items() if h in positions}


def mapping_for(*, reseller: Reseller, layout: str) -> Mapping:
    if layout in LAYOUTS:
        return Mapping(str(LAYOUTS[layout].label), dict(LAYOUTS[layout].columns))
    if layout.startswith("custom:") and layout[7:].isdigit():
        saved = OrderImportMapping.objects.filter(reseller=reseller, pk=int(layout[7:])).first()
        if saved is not None:
            return Mapping(saved.name, {f: _norm_header(h) for f, h in saved.columns.items() if f in FIELDS and h})
    raise ValidationFailed(_("Choose the layout of your file."), field="layout")


def _check_columns(mapping: Mapping, header: list[str]) -> dict[str, int]:
    index = mapping.index(header)
    missing = [mapping.columns.get(f, str(FIELDS[f])) for f in REQUIRED if f not in index]
    if not ({"address", "street"} & set(index)):
        missing.append(mapping.columns.get("address") or mapping.columns.get("street") or str(FIELDS["address"]))
    if missing:
        raise OrderFileRejected(
            _("The file has no column %(columns)s (layout: %(layout)s). Its columns are: %(found)s.")
            % {
                "columns": ", ".join(f"“{m}”" for m in missing),
                "layout": mapping.label,
                "found": ", ".join(h for h in header if h)[:300] or _("none"),
            },
            field="file",
        )
    return index


# --- checking one row -----------------------------------------------------------------------


@dataclass
class Context:
    """What the checks of one import share: the shop's listings by item code, stock used so far, refs seen."""

    shop: Shop
    listings: dict[str, StoreListing | None]
    used: dict[int, int]  # sku id → quantity taken by ready rows
    seen: dict[tuple[str, str], int]  # (ref, item code) → first row number
    placed_refs: set[str]
    addresses: dict[tuple[str, ...], tuple[dict[str, str] | None, str, str]] = field(default_factory=dict)

    def load(self, codes: set[str], refs: set[str]) -> None:
        new = [c for c in codes if c not in self.listings]
        if new:
            found = {
                sl.item_code: sl
                for sl in StoreListing.objects.filter(shop=self.shop, item_code__in=new, status=StoreListing.Status.PUBLISHED)
                .select_related("sku", "sku__product", "supplier")
            }
            for code in new:
                self.listings[code] = found.get(code)
        if refs:
            self.placed_refs |= set(
                ShopOrder.objects.filter(shop=self.shop, consumer_order_ref__in=list(refs)).values_list("consumer_order_ref", flat=True)
            )


def _fail(row: OrderImportRow, outcome: str, field: str, message: str) -> OrderImportRow:
    row.outcome, row.error_field, row.message = outcome, field, message
    return row


def _column(mapping: Mapping, field: str) -> str:
    return mapping.columns.get(field) or str(FIELDS.get(field, field))


def _address_of(row: OrderImportRow, parts: dict[str, str], cache: dict | None = None) -> tuple[dict[str, str] | None, str, str]:
    """(model address fields, "", "") or (None, field, message); an order's lines share one parse through ``cache``."""
    key = tuple(parts.get(k, "") for k in ADDRESS_PARTS)
    if cache is not None and key in cache:
        return cache[key]
    result = _parse_parts(parts)
    if cache is not None:
        if len(cache) > 1000:
            cache.clear()
        cache[key] = result
    return result


def _parse_parts(parts: dict[str, str]) -> tuple[dict[str, str] | None, str, str]:
    if parts.get("province") or parts.get("city"):
        text = " ".join(parts.get(k, "") for k in ("province", "city", "district", "street", "street2") if parts.get(k))
    else:
        text = " ".join(p for p in (parts.get("address", ""), parts.get("street2", "")) if p)
    parsed = parse_address(text, recipient=parts.get("recipient", ""), mobile=parts.get("mobile", ""))
    if parts.get("postal_code", "").isdigit() and len(parts["postal_code"]) == 6:
        parsed.postal_code = parts["postal_code"]
    address = {
        "recipient": parsed.recipient, "mobile": parsed.mobile, "province": parsed.province, "city": parsed.city,
        "district": parsed.district, "street": parsed.street, "postal_code": parsed.postal_code,
    }  # fmt: skip
    try:
        return address_clean(address), "", ""
    except ValidationFailed as exc:
        return None, exc.field or "address", exc.message


def check_row(row: OrderImportRow, ctx: Context, *, mapping: Mapping | None = None, parts: dict[str, str] | None = None) -> OrderImportRow:
    """Give ``row`` its outcome (ready or the first problem, naming the field). ``ctx`` is updated for ready rows."""
    name = (lambda f: _column(mapping, f)) if mapping else (lambda f: str(FIELDS.get(f, f)))
    parts = parts if parts is not None else {"address": row.address_text, "recipient": row.recipient, "mobile": row.mobile}
    row.sku = None
    row.purchase_order = None
    if not row.consumer_order_ref:
        return _fail(row, Outcome.INVALID, name("consumer_order_ref"), _("The consumer order number is missing."))
    if len(row.consumer_order_ref) > 64:
        return _fail(row, Outcome.INVALID, name("consumer_order_ref"), _("64 characters at most."))
    if row.consumer_order_ref in ctx.placed_refs:
        return _fail(row, Outcome.DUPLICATE, name("consumer_order_ref"), _("This order was already placed from this shop."))
    if not row.item_code:
        return _fail(row, Outcome.INVALID, name("item_code"), _("The shop item code is missing."))
    key = (row.consumer_order_ref, row.item_code)
    first = ctx.seen.get(key)
    if first is not None and first != row.row_number:
        return _fail(
            row, Outcome.DUPLICATE, name("item_code"), _("Row %(row)d has the same item of this order.") % {"row": first}
        )
    listing = ctx.listings.get(row.item_code)
    if listing is None:
        return _fail(
            row, Outcome.UNKNOWN_ITEM, name("item_code"),
            _("No published entry of this shop has the item code %(code)s.") % {"code": row.item_code},
        )
    row.sku = listing.sku
    row.supplier_id_hint = listing.supplier_id
    try:
        quantity = int(Decimal(row.quantity))
        if Decimal(row.quantity) != quantity or quantity < 1:
            raise ValueError
    except (InvalidOperation, ValueError):
        return _fail(row, Outcome.INVALID, name("quantity"), _("The quantity must be a whole number of at least 1."))
    if row.unit_price:
        try:
            price = money(Decimal(row.unit_price.replace(",", "").replace("¥", "").replace("￥", "")))
        except (InvalidOperation, ValueError):
            return _fail(row, Outcome.INVALID, name("unit_price"), _("Enter the price in yuan, e.g. 99.00."))
    else:
        price = listing.retail_price_amount
        row.unit_price = str(price)
    sku = listing.sku
    if not (sku.min_retail_amount <= price <= sku.max_retail_amount):
        return _fail(
            row, Outcome.PRICE_OUT_OF_RANGE, name("unit_price"),
            _("The retail price of %(code)s must be between %(min)s and %(max)s.")
            % {"code": row.item_code, "min": sku.min_retail_amount, "max": sku.max_retail_amount},
        )
    if ctx.used.get(sku.pk, 0) + quantity > sku.available:
        return _fail(
            row, Outcome.NO_STOCK, name("quantity"),
            _("Only %(n)d of %(code)s are available for this file's orders.")
            % {"n": max(sku.available - ctx.used.get(sku.pk, 0), 0), "code": row.item_code},
        )
    address, field, message = _address_of(row, parts, ctx.addresses)
    if address is None:
        return _fail(row, Outcome.BAD_ADDRESS, name(field if field in FIELDS else "address"), message)
    row.address = address
    ctx.used[sku.pk] = ctx.used.get(sku.pk, 0) + quantity
    ctx.seen.setdefault(key, row.row_number)
    return _fail(row, Outcome.READY, "", "")


# --- services -------------------------------------------------------------------------------


def _context(shop: Shop) -> Context:
    return Context(shop=shop, listings={}, used={}, seen={}, placed_refs=set())


def order_import_create(*, actor, reseller: Reseller, shop: Shop, file: IO[bytes], file_name: str, layout: str) -> OrderImport:
    """Read an order file into a previewed import (nothing placed). Raises ``OrderFileRejected`` naming row/column."""
    if shop.reseller_id != reseller.pk:
        raise DomainError(_("This shop does not exist."), code="not_found")
    mapping = mapping_for(reseller=reseller, layout=layout)
    encoding, rows = read_rows(file, file_name)
    with transaction.atomic():
        order_import = OrderImport.objects.create(
            reseller=reseller, shop=shop, uploaded_by=actor if getattr(actor, "pk", None) else None,
            file_name=(file_name or "orders")[:200], layout=layout[:100], encoding=encoding,
        )  # fmt: skip
        header: list[str] | None = None
        index: dict[str, int] = {}
        ctx = _context(shop)
        batch: list[tuple[OrderImportRow, dict[str, str]]] = []
        last_parts: dict[str, dict[str, str]] = {}
        count = 0
        for number, cells in rows:
            if header is None:
                if not any(_cell(c) for c in cells):
                    continue
                header = [_norm_header(c) for c in cells]
                index = _check_columns(mapping, header)
                continue
            values = {f: _cell(cells[i]) if i < len(cells) else "" for f, i in index.items()}
            if not any(values.values()):
                continue
            count += 1
            if count > MAX_ROWS:
                raise OrderFileRejected(
                    _("The file has more than %(max)d order rows; split it and upload the parts.") % {"max": MAX_ROWS}, field="file"
                )
            row = OrderImportRow(order_import=order_import, row_number=number)
            formula = next((f for f, v in values.items() if _looks_like_formula(v)), None)
            ref = values.get("consumer_order_ref", "")
            parts = {k: values.get(k, "") for k in ADDRESS_PARTS}
            if ref and not any(parts.values()) and ref in last_parts:
                parts = last_parts[ref]  # Shopify writes the address on an order's first line only
            elif ref:
                last_parts[ref] = parts
            row.consumer_order_ref = ref[:64]
            row.item_code = values.get("item_code", "")[:64]
            row.quantity = values.get("quantity", "")[:20]
            row.unit_price = values.get("unit_price", "")[:20]
            if not row.unit_price and values.get("line_total"):
                try:
                    row.unit_price = str(money(Decimal(values["line_total"]) / Decimal(row.quantity or "1")))
                except (InvalidOperation, ValueError, ArithmeticError):
                    row.unit_price = values["line_total"][:20]
            row.recipient = parts.get("recipient", "")[:100]
            row.mobile = parts.get("mobile", "")[:30]
            row.address_text = " ".join(
                parts.get(k, "") for k in ("province", "city", "district", "address", "street", "street2") if parts.get(k)
            )[:300]
            row.note = values.get("note", "")[:500]
            if formula:
                _fail(
                    row, Outcome.INVALID, _column(mapping, formula),
                    _("Row %(row)d, column “%(column)s” looks like a spreadsheet formula; enter the value itself.")
                    % {"row": number, "column": _column(mapping, formula)},
                )
                parts = {}
            batch.append((row, parts))
            if len(batch) >= BATCH:
                _check_and_store(batch, ctx, mapping)
                batch = []
        if header is None:
            raise OrderFileRejected(_("The file is empty."), field="file")
        _check_and_store(batch, ctx, mapping)
        if count == 0:
            raise OrderFileRejected(_("The file has a header row but no orders."), field="file")
        order_import.row_count = count
        order_import.save(update_fields=["row_count"])
        audit(actor=actor, action="order_import.create", obj=order_import, organisation=reseller.organisation, summary=file_name[:100])
    return order_import


def _check_and_store(batch: list[tuple[OrderImportRow, dict[str, str]]], ctx: Context, mapping: Mapping) -> None:
    ctx.load({r.item_code for r, _p in batch if r.item_code}, {r.consumer_order_ref for r, _p in batch if r.consumer_order_ref})
    for row, parts in batch:
        if not row.outcome:
            check_row(row, ctx, mapping=mapping, parts=parts)
    OrderImportRow.objects.bulk_create([r for r, _p in batch])


def _locked_import(reseller: Reseller, order_import_id: int) -> OrderImport:
    order_import = OrderImport.objects.select_for_update().filter(reseller=reseller, pk=order_import_id).first()
    if order_import is None:
        raise DomainError(_("This order import does not exist."), code="not_found")
    if order_import.status != OrderImport.Status.PREVIEW:
        raise InvalidState(_("This file is already being placed; rows can no longer change."))
    return order_import


def order_import_row_fix(*, actor, reseller: Reseller, order_import_id: int, row_id: int, changes: dict[str, str]) -> OrderImportRow:
    """Correct a row (item code, quantity, price, recipient, mobile, address) and check it again."""
    with transaction.atomic():
        order_import = _locked_import(reseller, order_import_id)
        row = OrderImportRow.objects.select_for_update().filter(order_import=order_import, pk=row_id).first()
        if row is None:
            raise DomainError(_("This row does not exist."), code="not_found")
        for field in ("item_code", "quantity", "unit_price", "recipient", "mobile", "address_text"):
            if field in changes:
                setattr(row, field, (changes[field] or "").strip()[: OrderImportRow._meta.get_field(field).max_length])
        ctx = _context(order_import.shop)
        others = OrderImportRow.objects.filter(order_import=order_import, outcome=Outcome.READY).exclude(pk=row.pk)
        ctx.used = _used(others)
        ctx.seen = {(r, c): n for r, c, n in others.values_list("consumer_order_ref", "item_code", "row_number")}
        ctx.load({row.item_code}, {row.consumer_order_ref})
        check_row(row, ctx)
        row.save()
        audit(
            actor=actor, action="order_import.row_fix", obj=order_import, organisation=reseller.organisation, data={"row": row.row_number}
        )
    return row


def _used(rows) -> dict[int, int]:
    used: dict[int, int] = {}
    for sku_id, quantity in rows.values_list("sku_id", "quantity"):
        used[sku_id] = used.get(sku_id, 0) + int(quantity)
    return used


def order_import_row_skip(*, actor, reseller: Reseller, order_import_id: int, row_id: int) -> OrderImportRow:
    with transaction.atomic():
        order_import = _locked_import(reseller, order_import_id)
        row = OrderImportRow.objects.select_for_update().filter(order_import=order_import, pk=row_id).first()
        if row is None:
            raise DomainError(_("This row does not exist."), code="not_found")
        _fail(row, Outcome.SKIPPED, "", _("Skipped by %(user)s.") % {"user": getattr(actor, "email", "")})
        row.save(update_fields=["outcome", "error_field", "message"])
    return row


def ready_refs(order_import: OrderImport) -> list[str]:
    """Consumer orders whose every row (skipped ones aside) is ready, in file order."""
    blocked = set(
        OrderImportRow.objects.filter(order_import=order_import)
        .exclude(outcome__in=[Outcome.READY, Outcome.SKIPPED])
        .values_list("consumer_order_ref", flat=True)
    )
    refs: dict[str, None] = {}
    for ref in (
        OrderImportRow.objects.filter(order_import=order_import, outcome=Outcome.READY)
        .order_by("row_number")
        .values_list("consumer_order_ref", flat=True)
    ):
        if ref not in blocked:
            refs.setdefault(ref, None)
    return list(refs)


def order_import_place(*, actor, reseller: Reseller, order_import_id: int, now=None) -> OrderImport:
    """Hand the ready orders to the worker (outbox, queue ``imports``). Orders with a bad row wait for a fix or skip."""
    now = now or timezone.now()
    with transaction.atomic():
        order_import = _locked_import(reseller, order_import_id)
        total = len(ready_refs(order_import))
        if not total:
            raise ValidationFailed(_("No order is ready to place: fix or skip the rows with problems first."), field="rows")
        order_import.status = OrderImport.Status.PLACING
        order_import.orders_total, order_import.orders_done = total, 0
        order_import.placing_started_at = now
        order_import.save(update_fields=["status", "orders_total", "orders_done", "placing_started_at"])
        # the worker writes the rows' refusals in the language the reseller placed in (that of the preview's messages)
        language = translation.get_language() or getattr(actor, "language", "") or settings.LANGUAGE_CODE
        outbox.enqueue(TOPIC, {"order_import_id": order_import.pk, "actor_id": getattr(actor, "pk", None), "language": language})
        audit(actor=actor, action="order_import.place", obj=order_import, organisation=reseller.organisation, data={"orders": total})
    return order_import


def handle_place(payload: dict[str, Any]) -> None:
    """Outbox handler (in the worker's transaction): place after it commits, one transaction per consumer order."""
    transaction.on_commit(
        lambda: order_import_run(
            order_import_id=payload["order_import_id"], actor_id=payload.get("actor_id"), language=payload.get("language")
        )
    )


def _line_position(field: str | None) -> int | None:
    match = re.match(r"lines\.(\d+)\.", field or "")
    return int(match.group(1)) if match else None


def order_import_run(*, order_import_id: int, actor_id: int | None = None, language: str | None = None) -> OrderImport:
    """Place every ready consumer order of an import (idempotent: safe to run twice, or again after a crash).

    The rows' messages are written in ``language`` (the one the reseller placed in), else the
    placing person's own language, else the platform's: never in the worker's.
    """
    from django.contrib.auth import get_user_model

    order_import = OrderImport.objects.select_related("shop", "reseller", "reseller__organisation", "uploaded_by").get(pk=order_import_id)
    if order_import.status != OrderImport.Status.PLACING:
        return order_import
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    actor = actor or order_import.uploaded_by
    with translation.override(language or getattr(actor, "language", "") or settings.LANGUAGE_CODE):
        return _place_all(order_import, actor)


def _place_all(order_import: OrderImport, actor) -> OrderImport:
    order_import_id = order_import.pk
    shop, reseller = order_import.shop, order_import.reseller
    refs = ready_refs(order_import)
    try:
        for start in range(0, len(refs), 200):
            chunk = refs[start : start + 200]
            rows_of: dict[str, list[OrderImportRow]] = {}
            ready = OrderImportRow.objects.filter(order_import=order_import, consumer_order_ref__in=chunk, outcome=Outcome.READY)
            for row in ready.order_by("row_number"):
                rows_of.setdefault(row.consumer_order_ref, []).append(row)
            for ref in chunk:
                _place_one(order_import, shop, reseller, actor, ref, rows_of.get(ref, []))
    except Exception:
        logger.exception("order import %s stopped while placing", order_import_id)
        OrderImportRow.objects.filter(order_import=order_import, outcome=Outcome.READY).update(
            outcome=Outcome.NOT_PLACED, message=_("Placing stopped because of an error; this order was not placed. Upload the file again.")
        )
        OrderImport.objects.filter(pk=order_import.pk).update(
            status=OrderImport.Status.FAILED, finished_at=timezone.now(), error=_("Placing stopped because of an error.")
        )
    else:
        OrderImport.objects.filter(pk=order_import.pk).update(status=OrderImport.Status.DONE, finished_at=timezone.now())
    order_import.refresh_from_db()
    return order_import


def _place_one(order_import: OrderImport, shop: Shop, reseller: Reseller, actor, ref: str, rows: list[OrderImportRow]) -> None:
    from .services import purchase_orders_place_cart

    if not rows:
        return
    lines = [{"sku": row.sku_id, "quantity": int(row.quantity), "retail_price": Decimal(row.unit_price)} for row in rows]
    note = "; ".join(dict.fromkeys(r.note for r in rows if r.note))
    try:
        with transaction.atomic():
            ShopOrder.objects.create(shop=shop, consumer_order_ref=ref, order_import=order_import)
            placed = purchase_orders_place_cart(
                actor=actor, reseller=reseller, lines=lines, consumer_order_ref=ref, address=rows[0].address, note=note
            )
            PurchaseOrder.objects.filter(pk__in=[po.pk for po in placed]).update(shop=shop)
            by_supplier = {po.supplier_id: po for po in placed}
            for row in rows:
                OrderImportRow.objects.filter(pk=row.pk).update(
                    outcome=Outcome.PLACED, purchase_order=by_supplier.get(row.supplier_id_hint), message=""
                )
    except IntegrityError:
        OrderImportRow.objects.filter(pk__in=[r.pk for r in rows]).update(
            outcome=Outcome.DUPLICATE, message=_("This order was already placed from this shop.")
        )
    except DomainError as exc:
        position = _line_position(exc.field)
        for i, row in enumerate(rows):
            message = exc.message if position is None or position == i else _("Not placed: another row of this order was refused.")
            OrderImportRow.objects.filter(pk=row.pk).update(outcome=Outcome.NOT_PLACED, message=message[:500])
    OrderImport.objects.filter(pk=order_import.pk).update(orders_done=F("orders_done") + 1)
