"""Bulk import/export of products and SKUs: row-by-row validation, all-or-nothing, CSV with BOM and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from distribution.core.errors import PermissionDenied, ValidationFailed
from suppliers import services
from suppliers.models import SKU, ImportJob, Product, StockAdjustment
from suppliers.selectors import export_rows
from suppliers.services import imports as services_imports
from suppliers.services.imports import COLUMNS, export_csv_lines, export_xlsx
from tests.suppliers.catalog_helpers import member
from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db

HEADER = ["title", "category", "province_code", "city_code", "brand", "sku_code", "attributes",
          "supply_price", "suggested_retail_price", "min_retail_price", "max_retail_price", "weight_grams", "on_hand"]  # fmt: skip


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def manager(supplier):
    return member(supplier)


@pytest.fixture
def category():
    parent = CategoryFactory(name="服飾")
    return CategoryFactory(name="上衣", parent=parent)


def csv_upload(rows, header=HEADER, name="products.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv")


def row(title="純棉T恤", code="T-1", supply="50.00", suggested="99.00", minimum="79.00", maximum="129.00", on_hand="10", **kw):
    values = {
        "title": title, "category": "服飾 › 上衣", "province_code": "330000", "city_code": "330100", "brand": "棉良",
        "sku_code": code, "attributes": "顏色=白; 尺碼=M", "supply_price": supply, "suggested_retail_price": suggested,
        "min_retail_price": minimum, "max_retail_price": maximum, "weight_grams": "300", "on_hand": on_hand,
    }  # fmt: skip
    values.update(kw)
    return [values[h] for h in HEADER]


def run(manager, supplier, upload, django_capture_on_commit_callbacks) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.import_job_create(actor=manager, supplier=supplier, upload=upload)
    assert len(callbacks) == 1  # the Celery task is queued after commit
    return services.import_job_run(job_id=job.pk)


def test_import_creates_draft_products_grouping_rows_by_title(manager, supplier, category, django_capture_on_commit_callbacks):
    upload = csv_upload([row(code="T-1"), row(code="T-2", attributes="顏色=黑; 尺碼=L"), row(title="牛仔褲", code="J-1")])

    job = run(manager, supplier, upload, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.progress == 100
    assert job.summary == {"products_created": 2, "skus_created": 3, "skus_updated": 0, "stock_changed": 0}
    tee = Product.objects.get(title="純棉T恤")
    assert tee.status == Product.Status.DRAFT and tee.category == category
    assert tee.skus.get(code="T-2").attributes == {"顏色": "黑", "尺碼": "L"}


def test_import_reports_errors_by_row_and_column_and_imports_nothing(manager, supplier, category, django_capture_on_commit_callbacks):
    existing = SKUFactory(product=ProductFactory(supplier=supplier), code="OLD-1", supply_price_amount=Decimal("50.00"))
    upload = csv_upload([
        row(code="OLD-1", supply="40.00"),   # fine on its own
        row(code="T-1"),                     # fine
        row(code="T-2", supply="90.00"),     # supply above min retail
        row(code="T-3", minimum="abc"),      # not a number
        row(code="T-1"),                     # duplicate code
        row(code="T-4", category="不存在"),  # unknown category
        row(code="T-5", on_hand="-2"),       # negative stock
        row(code="T-6", supply="1.234"),     # three decimals
    ])  # fmt: skip

    job = run(manager, supplier, upload, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(4, "supply_price"), (5, "min_retail_price"), (6, "sku_code"), (7, "category"), (8, "on_hand"), (9, "supply_price")} <= found
    assert all(e["row"] not in (2, 3) for e in job.errors)
    # atomic: nothing at all was written, not even the good rows
    assert not Product.objects.filter(title="純棉T恤").exists()
    existing.refresh_from_db()
    assert existing.supply_price_amount == Decimal("50.00")


def test_import_updates_prices_and_stock_of_existing_skus_by_code(
    manager, supplier, category, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("resellers.services.store_list_on_sku_changed", lambda **kw: calls.append(kw["changes"]))
    sku = SKUFactory(product=ProductFactory(supplier=supplier), code="OLD-1", on_hand=5)

    job = run(manager, supplier, csv_upload([row(code="OLD-1", supply="45.00", on_hand="30")]), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    sku.refresh_from_db()
    assert (sku.supply_price_amount, sku.on_hand) == (Decimal("45.00"), 30)
    assert StockAdjustment.objects.get(sku=sku).delta == 25
    assert {"supply_price_amount"} in calls and {"on_hand"} in calls


def test_import_refuses_stock_below_reserved(manager, supplier, category, django_capture_on_commit_callbacks):
    SKUFactory(product=ProductFactory(supplier=supplier), code="OLD-1", on_hand=10, reserved=4)
    job = run(manager, supplier, csv_upload([row(code="OLD-1", on_hand="3")]), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["column"] == "on_hand" and "4 units are reserved" in job.errors[0]["message"]


def test_import_cannot_add_skus_to_another_suppliers_product(manager, supplier, category, django_capture_on_commit_callbacks):
    foreign = ProductFactory()
    header = [*HEADER, "product_id"]
    upload = csv_upload([[*row(code="X-1"), str(foreign.pk)]], header=header)

    job = run(manager, supplier, upload, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 2, "column": "product_id", "message": "No product of yours has this id."}]
    assert not SKU.objects.filter(code="X-1").exists()


def test_import_reads_xlsx(manager, supplier, category, django_capture_on_commit_callbacks):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(code="X-1", on_hand=7))
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("products.xlsx", out.getvalue())

    job = run(manager, supplier, upload, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert SKU.objects.get(code="X-1").on_hand == 7


def test_import_refuses_missing_columns_and_other_file_types(manager, supplier, django_capture_on_commit_callbacks):
    job = run(manager, supplier, csv_upload([["x"]], header=["title"]), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED and "Missing columns" in job.errors[0]["message"]

    with pytest.raises(ValidationFailed):
        services.import_job_create(actor=manager, supplier=supplier, upload=SimpleUploadedFile("a.txt", b"x"))


def test_import_job_runs_once_even_if_the_task_is_retried(manager, supplier, category, django_capture_on_commit_callbacks):
    job = run(manager, supplier, csv_upload([row()]), django_capture_on_commit_callbacks)
    again = services.import_job_run(job_id=job.pk)
    assert again.status == ImportJob.Status.SUCCEEDED
    assert Product.objects.count() == 1


def test_import_task_is_kicked_through_the_outbox_and_runs_through_celery(
    manager, supplier, category, django_capture_on_commit_callbacks, run_outbox, outbox_kicks
):
    from distribution.celery import app

    # The app reads Django settings with the CELERY_ namespace, so override the namespaced keys.
    app.conf.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.import_job_create(actor=manager, supplier=supplier, upload=csv_upload([row()]))
        assert outbox_kicks == [("imports", 0)]  # the imports worker is kicked after commit
        assert run_outbox("imports") == (1, 0)  # which sends the job's task
    finally:
        app.conf.CELERY_TASK_ALWAYS_EAGER = False
        app.conf.CELERY_TASK_EAGER_PROPAGATES = False
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_staff_member_cannot_import(supplier):
    with pytest.raises(PermissionDenied):
        services.import_job_create(actor=member(supplier, "staff"), supplier=supplier, upload=csv_upload([row()]))


def test_export_csv_has_bom_one_row_per_sku_and_round_trips(manager, supplier, category, django_capture_on_commit_callbacks):
    product = ProductFactory(supplier=supplier, title="純棉T恤", category=category)
    SKUFactory(product=product, code="A-1", attributes={"顏色": "白"})
    SKUFactory(product=product, code="A-2")
    SKUFactory(code="FOREIGN")  # another supplier's

    text = "".join(export_csv_lines(export_rows(supplier.pk)))

    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["sku_code"] for r in rows] == ["A-1", "A-2"]
    assert rows[0]["title"] == "純棉T恤" and rows[0]["category"] == "服飾 › 上衣" and rows[0]["attributes"] == "顏色=白"
    assert rows[0]["supply_price"] == "50.00"

    # re-importing the export changes nothing but succeeds
    job = run(manager, supplier, SimpleUploadedFile("again.csv", text.encode("utf-8")), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["products_created"] == 0


def test_export_xlsx_has_the_columns_and_rows(supplier, category):
    SKUFactory(product=ProductFactory(supplier=supplier, category=category), code="A-1")
    sheet = load_workbook(io.BytesIO(export_xlsx(export_rows(supplier.pk)))).active
    values = list(sheet.values)
    assert list(values[0]) == COLUMNS
    assert values[1][COLUMNS.index("sku_code")] == "A-1"


def test_import_saves_progress_while_it_checks_rows(manager, supplier, category, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    real = services_imports._progress

    def spy(job_id, attempt, done, total):
        real(job_id, attempt, done, total)
        seen.append(ImportJob.objects.values_list("processed_rows", "progress").get(pk=job_id))

    monkeypatch.setattr(services_imports, "_progress", spy)
    rows = [row(title=f"商品{i}", code=f"P-{i}") for i in range(120)]

    job = run(manager, supplier, csv_upload(rows), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert seen == [(50, 37), (100, 75)]
    assert job.total_rows == 120 and Product.objects.filter(supplier=supplier).count() == 120


def test_catalog_exports_are_formula_safe_and_still_round_trip(manager, supplier, category, django_capture_on_commit_callbacks):
    product = ProductFactory(supplier=supplier, title="=1+2 特價", brand="@品牌", category=category)
    SKUFactory(product=product, code="A-1")

    text = "".join(export_csv_lines(export_rows(supplier.pk)))
    exported = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert exported["title"] == "'=1+2 特價" and exported["brand"] == "'@品牌"
    cells = list(load_workbook(io.BytesIO(export_xlsx(export_rows(supplier.pk)))).active.iter_rows(min_row=2))[0]
    title = cells[COLUMNS.index("title")]
    assert title.data_type == "s" and title.value == "'=1+2 特價"

    # the escape is undone on import: the product keeps its title, nothing new is created
    job = run(manager, supplier, SimpleUploadedFile("again.csv", text.encode("utf-8")), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["products_created"] == 0
    assert Product.objects.values_list("title", "brand").get(pk=product.pk) == ("=1+2 特價", "@品牌")


def test_import_refuses_numbers_beyond_the_column_range(manager, supplier, category, django_capture_on_commit_callbacks):
    job = run(manager, supplier, csv_upload([row(on_hand="2147483648"), row(code="T-2", weight_grams="99999999999")]),
              django_capture_on_commit_callbacks)  # fmt: skip
    assert job.status == ImportJob.Status.FAILED
    assert "2147483647" in str(job.errors)
