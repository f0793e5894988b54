"""Bulk import and export of products and SKUs (CSV and XLSX), one row per SKU.

Import: every row is validated first and errors are collected by row and column;
if any row is bad nothing is written. Otherwise all rows are applied in one
transaction through the catalog services: new SKU codes create draft products
(rows with the same title form one product, or ``product_id`` adds to an existing
product); codes that exist update that SKU's prices and stock.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from distribution.core import divisions
from distribution.core.audit import audit
from distribution.core.csv_stream import csv_lines, unescape_formula, xlsx_row
from distribution.core.errors import DomainError, ValidationFailed
from suppliers.models import SKU, Category, ImportJob, Product, Supplier
from suppliers.validators import format_attributes, parse_attributes, parse_money, sku_price_errors

from .catalog import PRICE_FIELDS, ProductChanges, SKUInput, _change_stock, _require_manager, product_create, product_update

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
PROGRESS_EVERY = 50

COLUMNS = [
    "product_id", "title", "description", "category", "brand", "province_code", "city_code", "is_imported",
    "sku_code", "attributes", "supply_price", "suggested_retail_price", "min_retail_price", "max_retail_price",
    "weight_grams", "on_hand", "status",
]  # fmt: skip
PRICE_COLUMNS = {
    "supply_price": "supply_price_amount",
    "suggested_retail_price": "suggested_retail_amount",
    "min_retail_price": "min_retail_amount",
    "max_retail_price": "max_retail_amount",
}
REQUIRED_COLUMNS = {"sku_code", *PRICE_COLUMNS}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "x", "✓"}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class NewProduct:
    row: int
    fields: dict[str, Any]
    skus: list[SKUInput] = field(default_factory=list)


@dataclass
class Plan:
    new_products: dict[str, NewProduct] = field(default_factory=dict)
    added_skus: dict[int, list[SKUInput]] = field(default_factory=dict)
    sku_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    stock: dict[int, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------


def _load(content: bytes, name: str) -> tablib.Dataset:
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx":
        return tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    text = content.decode("utf-8-sig")
    return tablib.Dataset().load(text, format="csv")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape_formula(str(value).strip())  # our own export's formula escape (csv_stream)


def _category_index() -> dict[str, Category]:
    index: dict[str, Category] = {}
    categories = {c.pk: c for c in Category.objects.all()}
    for category in categories.values():
        names = [category.name]
        parent = categories.get(category.parent_id)
        while parent is not None:
            names.insert(0, parent.name)
            parent = categories.get(parent.parent_id)
        for separator in (" › ", ">", "/"):
            index[separator.join(names)] = category
        index[str(category.pk)] = category
    return index


def _int(value: str, *, column: str, minimum: int = 0, maximum: int = 2_147_483_647) -> int:
    try:
        number = int(Decimal(value))
    except Exception:  # noqa: BLE001 - any unparsable text is the same user mistake
        raise ValidationError(_("Enter a whole number."))
    if Decimal(value) != number:
        raise ValidationError(_("Enter a whole number."))
    if number < minimum:
        raise ValidationError(_("Must be %(minimum)s or more.") % {"minimum": minimum})
    if number > maximum:  # the database column's range
        raise ValidationError(_("Must be %(maximum)s or less.") % {"maximum": maximum})
    return number


def build_plan(*, supplier: Supplier, dataset: tablib.Dataset, on_progress=None) -> Plan:
    """Validate every row; return what to write, or the errors by row and column."""
    plan = Plan()
    headers = [(_cell(h) or "").lower() for h in (dataset.headers or [])]
    missing = sorted(REQUIRED_COLUMNS - set(headers))
    if missing:
        plan.errors.append(RowError(1, ", ".join(missing), _g("Missing columns.")))
        return plan
    if len(dataset) > MAX_IMPORT_ROWS:
        plan.errors.append(RowError(1, "", _g("A file may hold at most %(n)s rows.") % {"n": MAX_IMPORT_ROWS}))
        return plan
    categories = _category_index()
    existing = {s.code: s for s in SKU.objects.filter(supplier=supplier)}
    own_products = set(Product.objects.filter(supplier=supplier).values_list("pk", flat=True))
    seen_codes: dict[str, int] = {}

    for index, raw in enumerate(dataset):
        row_number = index + 2  # the header is row 1
        row = {headers[i]: _cell(v) for i, v in enumerate(raw) if i < len(headers)}
        errors: list[RowError] = []

        def err(column: str, message: Any, row_number: int = row_number, errors: list[RowError] = errors) -> None:
            errors.append(RowError(row_number, column, str(message)))

        if not any(row.values()):
            continue
        code = row.get("sku_code", "")
        if not code:
            err("sku_code", _("Enter a SKU code."))
        elif len(code) > 64:
            err("sku_code", _("A SKU code has at most 64 characters."))
        elif code in seen_codes:
            err("sku_code", _("The SKU code also appears in row %(row)s.") % {"row": seen_codes[code]})
        seen_codes.setdefault(code, row_number)

        prices: dict[str, Decimal | None] = {}
        for column, name in PRICE_COLUMNS.items():
            try:
                prices[name] = parse_money(row.get(column, ""))
            except ValidationError as exc:
                prices[name] = None
                err(column, exc.messages[0])
        reverse_columns = {v: k for k, v in PRICE_COLUMNS.items()}
        for name, message in sku_price_errors(
            supply=prices["supply_price_amount"], suggested=prices["suggested_retail_amount"],
            minimum=prices["min_retail_amount"], maximum=prices["max_retail_amount"],
        ).items():  # fmt: skip
            err(reverse_columns[name], message)

        on_hand: int | None = None
        if row.get("on_hand", ""):
            try:
                on_hand = _int(row["on_hand"], column="on_hand")
            except ValidationError as exc:
                err("on_hand", exc.messages[0])
        weight = 0
        if row.get("weight_grams", ""):
            try:
                weight = _int(row["weight_grams"], column="weight_grams")
            except ValidationError as exc:
                err("weight_grams", exc.messages[0])
        attributes: dict[str, str] = {}
        try:
            attributes = parse_attributes(row.get("attributes", ""))
        except ValidationError as exc:
            err("attributes", exc.messages[0])

        sku = existing.get(code)
        if sku is not None:
            if on_hand is not None and on_hand < sku.reserved:
                err("on_hand", _("%(reserved)s units are reserved by open purchase orders; stock on hand cannot go below %(reserved)s.")
                    % {"reserved": sku.reserved})  # fmt: skip
            if not errors:
                update = {name: prices[name] for name in PRICE_FIELDS}
                if row.get("attributes", ""):
                    update["attributes"] = attributes
                if row.get("weight_grams", ""):
                    update["weight_grams"] = weight
                plan.sku_updates[sku.pk] = update
                if on_hand is not None and on_hand != sku.on_hand:
                    plan.stock[sku.pk] = on_hand
        else:
            data = None
            if not errors:
                data = SKUInput(code=code, attributes=attributes, weight_grams=weight, on_hand=on_hand or 0,
                                **{name: prices[name] for name in PRICE_FIELDS})  # fmt: skip
            product_id = row.get("product_id", "")
            if product_id:
                if not product_id.isdigit() or int(product_id) not in own_products:
                    err("product_id", _("No product of yours has this id."))
                elif data is not None:
                    plan.added_skus.setdefault(int(product_id), []).append(data)
            else:
                fields = _product_fields(row, categories, err)
                title = fields.get("title", "")
                if title and not errors:
                    group = plan.new_products.setdefault(title, NewProduct(row=row_number, fields=fields))
                    group.skus.append(data)
        plan.errors.extend(errors)
        if on_progress and (index + 1) % PROGRESS_EVERY == 0:
            on_progress(index + 1, len(dataset))
    return plan


def _product_fields(row: dict[str, str], categories: dict[str, Category], err) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    title = row.get("title", "")
    if not title:
        err("title", _("Enter the product title (or a product_id to add the SKU to an existing product)."))
    elif len(title) > 200:
        err("title", _("A title has at most 200 characters."))
    fields["title"] = title
    category = categories.get(row.get("category", ""))
    if category is None:
        err("category", _("Unknown category; use a path such as 服飾 › 上衣."))
    fields["category"] = category
    province, city = row.get("province_code", ""), row.get("city_code", "")
    if not divisions.is_province(province):
        err("province_code", _("Choose a province from the list."))
    elif not divisions.is_city(city) or city[:2] != province[:2]:
        err("city_code", _("Choose a city in the chosen province."))
    fields.update(
        province_code=province, city_code=city, description=row.get("description", ""),
        brand=row.get("brand", "")[:100], is_imported=row.get("is_imported", "").lower() in TRUE_WORDS,
    )  # fmt: skip
    return fields


# --- writing ----------------------------------------------------------------------------------


def apply_plan(*, actor: Any, supplier: Supplier, plan: Plan) -> dict[str, int]:
    """Write a validated plan. The caller holds the transaction."""
    products = {p.pk: p for p in Product.objects.filter(supplier=supplier, pk__in=list(set(plan.added_skus)))}
    for product_id, skus in plan.added_skus.items():
        product_update(actor=actor, product=products[product_id], changes=ProductChanges(new_skus=skus))
    for group in plan.new_products.values():
        product_create(actor=actor, supplier=supplier, fields=group.fields, skus=group.skus)
    # Not locked here: product_update and _change_stock lock (product before SKU, like everywhere else).
    skus = {s.pk: s for s in SKU.objects.filter(pk__in=sorted(set(plan.sku_updates) | set(plan.stock)))}
    by_product: dict[int, dict[int, dict[str, Any]]] = {}
    for sku_id, values in plan.sku_updates.items():
        by_product.setdefault(skus[sku_id].product_id, {})[sku_id] = values
    for product in Product.objects.filter(pk__in=list(by_product)).order_by("pk"):
        product_update(actor=actor, product=product, changes=ProductChanges(sku_updates=by_product[product.pk]))
    for sku_id, on_hand in sorted(plan.stock.items()):
        _change_stock(actor=actor, sku=skus[sku_id], target=on_hand, delta=None, reason=_g("Bulk import"))
    return {
        "products_created": len(plan.new_products),
        "skus_created": sum(len(g.skus) for g in plan.new_products.values()) + sum(len(s) for s in plan.added_skus.values()),
        "skus_updated": len(plan.sku_updates),
        "stock_changed": len(plan.stock),
    }


@transaction.atomic
def import_job_create(*, actor: Any, supplier: Supplier, upload: UploadedFile) -> ImportJob:
    """Store the uploaded file as a waiting job and queue its task once committed."""
    _require_manager(actor, supplier.pk)
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed(_("Upload a .csv or .xlsx file."), field="file")
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("An import file may be at most 10 MB."), field="file")
    job = ImportJob(supplier=supplier, created_by=actor, original_name=PurePath(upload.name).name[:200])
    job.file.save(PurePath(upload.name).name, upload, save=False)
    job.save()
    audit(actor=actor, action="import.queued", obj=job, organisation=supplier.organisation, summary=job.original_name)
    from suppliers.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def _progress(job_id: int, done: int, total: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(processed_rows=done, progress=min(90, int(done * 90 / max(total, 1))))


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a waiting job: validate all rows (progress saved as it goes), then apply all or nothing.

    Idempotent: a job that is not waiting is returned unchanged (a retried task does nothing).
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("supplier__organisation", "created_by").get(pk=job_id)
        if job.status != ImportJob.Status.PENDING:
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    supplier, actor = job.supplier, job.created_by
    try:
        with job.file.open("rb") as fh:
            dataset = _load(fh.read(), job.file.name)
    except Exception:  # noqa: BLE001 - any parse failure means the same thing to the user
        return _finish(job, errors=[RowError(1, "", _g("The file could not be read as CSV (UTF-8) or XLSX."))])
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(dataset))
    job.total_rows = len(dataset)
    plan = build_plan(supplier=supplier, dataset=dataset, on_progress=lambda done, total: _progress(job.pk, done, total))
    if plan.errors:
        return _finish(job, errors=plan.errors)
    try:
        with transaction.atomic():
            summary = apply_plan(actor=actor, supplier=supplier, plan=plan)
            audit(actor=actor, action="import.applied", obj=job, organisation=supplier.organisation,
                  summary=job.original_name, data=summary)  # fmt: skip
    except DomainError as exc:
        return _finish(job, errors=[RowError(0, exc.field or "", exc.message)])
    return _finish(job, summary=summary)


def _finish(job: ImportJob, *, errors: list[RowError] | None = None, summary: dict | None = None) -> ImportJob:
    job.status = ImportJob.Status.FAILED if errors else ImportJob.Status.SUCCEEDED
    job.errors = [e.as_dict() for e in errors or []]
    job.summary = summary or {}
    job.progress = 100
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "errors", "summary", "progress", "processed_rows", "finished_at"])
    return job


# --- export -----------------------------------------------------------------------------------


def _export_values(sku: SKU) -> list[Any]:
    product = sku.product
    return [
        product.pk, product.title, product.description, str(product.category), product.brand,
        product.province_code, product.city_code, "yes" if product.is_imported else "no",
        sku.code, format_attributes(sku.attributes), f"{sku.supply_price_amount:.2f}",
        f"{sku.suggested_retail_amount:.2f}", f"{sku.min_retail_amount:.2f}", f"{sku.max_retail_amount:.2f}",
        sku.weight_grams, sku.on_hand, product.status,
    ]  # fmt: skip


def export_csv_lines(queryset) -> Iterator[str]:
    """CSV text with a UTF-8 BOM (so spreadsheet programs read Chinese correctly), row by row."""
    return csv_lines(COLUMNS, (_export_values(sku) for sku in queryset.iterator(chunk_size=500)))


def export_xlsx(queryset) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("products")
    sheet.append(xlsx_row(sheet, COLUMNS))
    for sku in queryset.iterator(chunk_size=500):
        sheet.append(xlsx_row(sheet, _export_values(sku)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
