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
from datetime import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from accounts.permissions import require_manager
from distribution.core import divisions, outbox
from distribution.core.audit import audit
from distribution.core.csv_stream import csv_lines, unescape_formula, xlsx_row
from distribution.core.errors import DomainError, ValidationFailed
from suppliers.models import SKU, Category, ImportJob, Product, Supplier

# the module, not the task: the task module imports this one (a cycle Python resolves for modules)
from suppliers.validators import format_attributes, parse_attributes, parse_money, sku_price_errors

from .catalog import PRICE_FIELDS, ProductChanges, SKUInput, _change_stock, product_create, product_update

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 20000
# Outbox topic whose handler sends the job's Celery task (suppliers/tasks.py); registered in apps.py.
IMPORT_JOB_KICK = "suppliers.import_job.kick"
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


@dataclass
class _Catalog:
    """What a plan checks rows against: the supplier's SKUs and products, the category paths."""

    categories: dict[str, Category]
    existing: dict[str, SKU]
    own_products: set[int]
    seen_codes: dict[str, int] = field(default_factory=dict)


@dataclass
class _Row:
    """One parsed row: its cells, the values read from them, and the errors found so far."""

    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    code: str = ""
    prices: dict[str, Decimal | None] = field(default_factory=dict)
    on_hand: int | None = None
    weight: int = 0
    attributes: dict[str, str] = field(default_factory=dict)

    def err(self, column: str, message: Any) -> None:
        self.errors.append(RowError(self.number, column, str(message)))


def _file_error(headers: list[str], dataset: tablib.Dataset) -> RowError | None:
    missing = sorted(REQUIRED_COLUMNS - set(headers))
    if missing:
        return RowError(1, ", ".join(missing), _g("Missing columns."))
    if len(dataset) > MAX_IMPORT_ROWS:
        return RowError(1, "", _g("A file may hold at most %(n)s rows.") % {"n": MAX_IMPORT_ROWS})
    return None


def _read_code(row: _Row, catalog: _Catalog) -> None:
    code = row.code = row.cells.get("sku_code", "")
    if not code:
        row.err("sku_code", _("Enter a SKU code."))
    elif len(code) > 64:
        row.err("sku_code", _("A SKU code has at most 64 characters."))
    elif code in catalog.seen_codes:
        row.err("sku_code", _("The SKU code also appears in row %(row)s.") % {"row": catalog.seen_codes[code]})
    catalog.seen_codes.setdefault(code, row.number)


def _read_prices(row: _Row) -> None:
    for column, name in PRICE_COLUMNS.items():
        try:
            row.prices[name] = parse_money(row.cells.get(column, ""))
        except ValidationError as exc:
            row.prices[name] = None
            row.err(column, exc.messages[0])
    reverse_columns = {v: k for k, v in PRICE_COLUMNS.items()}
    for name, message in sku_price_errors(
        supply=row.prices["supply_price_amount"], suggested=row.prices["suggested_retail_amount"],
        minimum=row.prices["min_retail_amount"], maximum=row.prices["max_retail_amount"],
    ).items():  # fmt: skip
        row.err(reverse_columns[name], message)


def _read_numbers_and_attributes(row: _Row) -> None:
    if row.cells.get("on_hand", ""):
        try:
            row.on_hand = _int(row.cells["on_hand"], column="on_hand")
        except ValidationError as exc:
            row.err("on_hand", exc.messages[0])
    if row.cells.get("weight_grams", ""):
        try:
            row.weight = _int(row.cells["weight_grams"], column="weight_grams")
        except ValidationError as exc:
            row.err("weight_grams", exc.messages[0])
    try:
        row.attributes = parse_attributes(row.cells.get("attributes", ""))
    except ValidationError as exc:
        row.err("attributes", exc.messages[0])


def _plan_existing_sku(plan: Plan, row: _Row, sku: SKU) -> None:
    if row.on_hand is not None and row.on_hand < sku.reserved:
        row.err("on_hand", _("%(reserved)s units are reserved by open purchase orders; stock on hand cannot go below %(reserved)s.")
                % {"reserved": sku.reserved})  # fmt: skip
    if row.errors:
        return
    update = {name: row.prices[name] for name in PRICE_FIELDS}
    if row.cells.get("attributes", ""):
        update["attributes"] = row.attributes
    if row.cells.get("weight_grams", ""):
        update["weight_grams"] = row.weight
    plan.sku_updates[sku.pk] = update
    if row.on_hand is not None and row.on_hand != sku.on_hand:
        plan.stock[sku.pk] = row.on_hand


def _plan_new_sku(plan: Plan, row: _Row, catalog: _Catalog) -> None:
    data = None
    if not row.errors:
        data = SKUInput(code=row.code, attributes=row.attributes, weight_grams=row.weight, on_hand=row.on_hand or 0,
                        **{name: row.prices[name] for name in PRICE_FIELDS})  # fmt: skip
    product_id = row.cells.get("product_id", "")
    if product_id:
        if not product_id.isdigit() or int(product_id) not in catalog.own_products:
            row.err("product_id", _("No product of yours has this id."))
        elif data is not None:
            plan.added_skus.setdefault(int(product_id), []).append(data)
        return
    fields = _product_fields(row.cells, catalog.categories, row.err)
    title = fields.get("title", "")
    if title and not row.errors:
        group = plan.new_products.setdefault(title, NewProduct(row=row.number, fields=fields))
        group.skus.append(data)


def build_plan(*, supplier: Supplier, dataset: tablib.Dataset, on_progress=None) -> Plan:
    """Validate every row; return what to write, or the errors by row and column."""
    plan = Plan()
    headers = [(_cell(h) or "").lower() for h in (dataset.headers or [])]
    if (error := _file_error(headers, dataset)) is not None:
        plan.errors.append(error)
        return plan
    catalog = _Catalog(
        categories=_category_index(),
        existing={s.code: s for s in SKU.objects.filter(supplier=supplier)},
        own_products=set(Product.objects.filter(supplier=supplier).values_list("pk", flat=True)),
    )
    for index, raw in enumerate(dataset):
        row = _Row(number=index + 2, cells={headers[i]: _cell(v) for i, v in enumerate(raw) if i < len(headers)})  # header: row 1
        if not any(row.cells.values()):
            continue
        _read_code(row, catalog)
        _read_prices(row)
        _read_numbers_and_attributes(row)
        sku = catalog.existing.get(row.code)
        if sku is not None:
            _plan_existing_sku(plan, row, sku)
        else:
            _plan_new_sku(plan, row, catalog)
        plan.errors.extend(row.errors)
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
    require_manager(actor, supplier.pk)
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed(_("Upload a .csv or .xlsx file."), field="file")
    if upload.size > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("An import file may be at most 10 MB."), field="file")
    job = ImportJob(supplier=supplier, created_by=actor, original_name=PurePath(upload.name).name[:200])
    job.file.save(PurePath(upload.name).name, upload, save=False)
    job.save()
    audit(actor=actor, action="import.queued", obj=job, organisation=supplier.organisation, summary=job.original_name)
    _kick_on_commit(job.pk)
    return job


def _kick_on_commit(job_id: int) -> None:
    """The job's task is sent through the outbox: a broker outage delays the import, never loses it."""
    outbox.enqueue(IMPORT_JOB_KICK, {"job_id": job_id})


class _LeaseLost(Exception):
    """This run's lease was taken over (resumed or failed by the sweep): stop without writing."""


def _renew(job_id: int, attempt: int, **fields: Any) -> None:
    """Heartbeat: extend this run's lease (with ``fields``) or learn that it was taken over."""
    renewed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING, attempts=attempt).update(
        lease_until=timezone.now() + settings.IMPORT_JOB_LEASE, **fields
    )
    if not renewed:
        raise _LeaseLost


def _progress(job_id: int, attempt: int, done: int, total: int) -> None:
    _renew(job_id, attempt, processed_rows=done, progress=min(90, int(done * 90 / max(total, 1))))


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a waiting job: validate all rows (progress saved as it goes), then apply all or nothing.

    Idempotent: a job that is not waiting is returned unchanged (a retried task does nothing). The run
    holds a lease on the job, renewed with each progress step; if its worker dies, the ``import_jobs``
    sweep resumes the job (the file is validated again and applied in one transaction, so a run that
    died changed nothing) or, after ``IMPORT_JOB_MAX_ATTEMPTS`` runs, fails it with a message. A run
    whose lease was taken over stops without writing.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("supplier__organisation", "created_by").get(pk=job_id)
        if job.status != ImportJob.Status.PENDING:
            return job
        job.status = ImportJob.Status.RUNNING
        job.attempts += 1
        job.lease_until = timezone.now() + settings.IMPORT_JOB_LEASE
        job.save(update_fields=["status", "attempts", "lease_until"])
    try:
        return _run(job, attempt=job.attempts)
    except _LeaseLost:
        return ImportJob.objects.get(pk=job.pk)


def _run(job: ImportJob, *, attempt: int) -> ImportJob:
    supplier, actor = job.supplier, job.created_by
    try:
        with job.file.open("rb") as fh:
            dataset = _load(fh.read(), job.file.name)
    except Exception:  # noqa: BLE001 - any parse failure means the same thing to the user
        return _finish(job, attempt, errors=[RowError(1, "", _g("The file could not be read as CSV (UTF-8) or XLSX."))])
    _renew(job.pk, attempt, total_rows=len(dataset))
    job.total_rows = len(dataset)
    plan = build_plan(supplier=supplier, dataset=dataset, on_progress=lambda done, total: _progress(job.pk, attempt, done, total))
    if plan.errors:
        return _finish(job, attempt, errors=plan.errors)
    try:
        with transaction.atomic():
            # The job row stays locked while the plan is written, so the sweep (SKIP LOCKED) never
            # takes over a run that is committing; the run's own writes and its result commit together.
            _lock_own_run(job.pk, attempt)
            summary = apply_plan(actor=actor, supplier=supplier, plan=plan)
            audit(actor=actor, action="import.applied", obj=job, organisation=supplier.organisation,
                  summary=job.original_name, data=summary)  # fmt: skip
            return _finish(job, attempt, summary=summary)
    except DomainError as exc:
        return _finish(job, attempt, errors=[RowError(0, exc.field or "", exc.message)])


def _lock_own_run(job_id: int, attempt: int) -> None:
    own = ImportJob.objects.select_for_update().filter(pk=job_id, status=ImportJob.Status.RUNNING, attempts=attempt)
    if not own.exists():
        raise _LeaseLost


def _finish(job: ImportJob, attempt: int, *, errors: list[RowError] | None = None, summary: dict | None = None) -> ImportJob:
    job.status = ImportJob.Status.FAILED if errors else ImportJob.Status.SUCCEEDED
    job.errors = [e.as_dict() for e in errors or []]
    job.summary = summary or {}
    job.progress = 100
    job.processed_rows = job.total_rows
    job.finished_at = timezone.now()
    job.lease_until = None
    finished = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, attempts=attempt).update(
        status=job.status, errors=job.errors, summary=job.summary, progress=100, processed_rows=job.processed_rows,
        finished_at=job.finished_at, lease_until=None,
    )  # fmt: skip
    if not finished:
        raise _LeaseLost
    return job


def import_job_recover(*, job_id: int, now: datetime | None = None) -> ImportJob | None:
    """Take over a running job whose lease has passed (its worker died): resume or fail it.

    Resumed (back to waiting, queued again on commit) while it has had fewer than
    ``IMPORT_JOB_MAX_ATTEMPTS`` runs; else failed with a message the supplier sees on the job's page.
    Returns the job, or ``None`` when it is not (or no longer) a running job with a passed lease, or is
    locked by a run that is committing. Safe to call twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("supplier__organisation")
            .filter(pk=job_id, status=ImportJob.Status.RUNNING, lease_until__lt=now)
            .first()
        )
        if job is None:
            return None
        if job.attempts < settings.IMPORT_JOB_MAX_ATTEMPTS:
            job.status, job.lease_until, job.progress, job.processed_rows = ImportJob.Status.PENDING, None, 0, 0
            job.save(update_fields=["status", "lease_until", "progress", "processed_rows"])
            audit(actor=None, action="import.resumed", obj=job, organisation=job.supplier.organisation,
                  summary=job.original_name, data={"attempts": job.attempts})  # fmt: skip
            _kick_on_commit(job.pk)
            return job
        message = _g(
            "The import stopped because the server processing it was interrupted (%(attempts)s attempts). "
            "Nothing was imported; upload the file again, or split it into smaller files if this happens again."
        ) % {"attempts": job.attempts}
        job.status, job.lease_until, job.finished_at, job.progress = ImportJob.Status.FAILED, None, now, 100
        job.errors = [RowError(0, "", message).as_dict()]
        job.save(update_fields=["status", "lease_until", "finished_at", "progress", "errors"])
        audit(actor=None, action="import.interrupted", obj=job, organisation=job.supplier.organisation,
              summary=job.original_name, data={"attempts": job.attempts})  # fmt: skip
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
