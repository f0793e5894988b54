"""Products, SKUs and moderation through the services (R3, R7)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Notification
from distribution.core.errors import InvalidState, PermissionDenied, ValidationFailed
from distribution.core.models import AuditEvent
from suppliers import services
from suppliers.models import ComplianceDocument, Product, ProductImage, Supplier
from suppliers.services import ProductChanges
from tests.suppliers.catalog_helpers import image_upload, member, pdf_upload, sku_input
from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("reviewer@platform.test", "x-Strong-pass-2026", is_staff=True)


@pytest.fixture
def supplier():
    return SupplierFactory()


@pytest.fixture
def manager(supplier):
    return member(supplier, "manager")


def fields(**overrides):
    values = {
        "title": "純棉T恤",
        "description": "<p>100% 棉</p>",
        "category": CategoryFactory(),
        "brand": "棉良",
        "province_code": "330000",
        "city_code": "330100",
        "is_imported": False,
    }
    values.update(overrides)
    return values


def make_draft(manager, supplier, **overrides):
    return services.product_create(actor=manager, supplier=supplier, fields=fields(**overrides), skus=[sku_input()])


# --- create and sanitise ---------------------------------------------------------------------


def test_create_makes_a_draft_with_skus_images_and_initial_stock_record(manager, supplier):
    product = services.product_create(
        actor=manager, supplier=supplier, fields=fields(), skus=[sku_input("A-1"), sku_input("A-2", on_hand=0)],
        images=[image_upload()],
    )  # fmt: skip

    assert product.status == Product.Status.DRAFT
    assert sorted(product.skus.values_list("code", flat=True)) == ["A-1", "A-2"]
    image = product.images.get()
    assert image.thumbnail.name.endswith(".webp") and not image.approved
    assert product.skus.get(code="A-1").stock_adjustments.get().delta == 10
    assert AuditEvent.objects.filter(action="product.created", object_id=str(product.pk)).exists()


def test_description_is_sanitised_script_events_and_javascript_links_removed(manager, supplier):
    dirty = '<p onclick="steal()">好<script>alert(1)</script><a href="javascript:alert(2)">x</a><strong>棉</strong></p>'

    product = make_draft(manager, supplier, description=dirty)

    assert "script" not in product.description
    assert "onclick" not in product.description
    assert "javascript" not in product.description
    assert "<strong>棉</strong>" in product.description


def test_create_refuses_a_city_outside_the_province(manager, supplier):
    with pytest.raises(ValidationFailed) as exc:
        make_draft(manager, supplier, province_code="330000", city_code="310100")
    assert exc.value.field == "city_code"


def test_create_refuses_a_non_image_upload(manager, supplier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("evil.png", b"<script>not an image</script>", content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.product_create(actor=manager, supplier=supplier, fields=fields(), images=[fake])
    assert exc.value.field == "images"
    assert not Product.objects.exists()


def test_create_refuses_an_image_over_5_mb(manager, supplier, monkeypatch):
    monkeypatch.setattr("suppliers.validators.MAX_IMAGE_BYTES", 100)
    with pytest.raises(ValidationFailed, match="5 MB"):
        services.product_create(actor=manager, supplier=supplier, fields=fields(), images=[image_upload()])


def test_gif_images_are_refused(manager, supplier):
    with pytest.raises(ValidationFailed, match="JPEG, PNG or WebP"):
        services.product_create(actor=manager, supplier=supplier, fields=fields(), images=[image_upload("a.gif", "GIF")])


# --- SKU validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"min_retail_amount": Decimal("130.00")}, "max_retail_amount"),
        ({"suggested_retail_amount": Decimal("70.00")}, "suggested_retail_amount"),
        ({"suggested_retail_amount": Decimal("140.00")}, "suggested_retail_amount"),
        ({"supply_price_amount": Decimal("80.00")}, "supply_price_amount"),
        ({"supply_price_amount": Decimal("0")}, "supply_price_amount"),
        ({"supply_price_amount": Decimal("-1.00")}, "supply_price_amount"),
        ({"supply_price_amount": Decimal("50.001")}, "supply_price_amount"),
        ({"on_hand": -1}, "on_hand"),
        ({"code": "  "}, "code"),
    ],
)
def test_sku_rules_are_enforced_with_the_field_named(manager, supplier, overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        services.product_create(actor=manager, supplier=supplier, fields=fields(), skus=[sku_input(**overrides)])
    assert exc.value.field == field
    assert not Product.objects.exists()


def test_sku_code_is_unique_per_supplier_but_not_across_suppliers(manager, supplier):
    make_draft(manager, supplier)
    with pytest.raises(ValidationFailed) as exc:
        make_draft(manager, supplier, title="另一件")
    assert exc.value.field == "code"

    other = SupplierFactory()
    services.product_create(actor=member(other), supplier=other, fields=fields(), skus=[sku_input()])


# --- permissions -----------------------------------------------------------------------------


def test_staff_member_of_the_supplier_cannot_create_products(supplier):
    with pytest.raises(PermissionDenied):
        make_draft(member(supplier, "staff"), supplier)


def test_member_of_another_supplier_cannot_change_a_product(manager, supplier):
    product = make_draft(manager, supplier)
    outsider = member(SupplierFactory(), "owner")
    with pytest.raises(PermissionDenied):
        services.product_update(actor=outsider, product=product, changes=ProductChanges(fields={"title": "x"}))
    with pytest.raises(PermissionDenied):
        services.product_submit(actor=outsider, product=product)


def test_only_platform_staff_approve(manager, supplier):
    product = services.product_submit(actor=manager, product=make_draft(manager, supplier))
    with pytest.raises(PermissionDenied):
        services.product_approve(actor=manager, product=product)


# --- moderation ------------------------------------------------------------------------------


def test_submit_then_approve_lists_the_product_with_its_approved_version(manager, supplier, staff_user):
    product = make_draft(manager, supplier)
    services.product_update(actor=manager, product=product, changes=ProductChanges(add_images=[image_upload()]))

    services.product_submit(actor=manager, product=product)
    product = services.product_approve(actor=staff_user, product=product)

    assert product.status == Product.Status.LISTED
    assert product.listed_at is not None
    assert product.approved_title == "純棉T恤"
    assert product.images.get().approved
    assert Notification.objects.filter(user=manager, kind="listing_approved").exists()
    assert AuditEvent.objects.filter(action="product.approved", actor=staff_user).exists()


def test_submit_refuses_a_product_without_skus(manager, supplier):
    product = services.product_create(actor=manager, supplier=supplier, fields=fields())
    with pytest.raises(ValidationFailed) as exc:
        services.product_submit(actor=manager, product=product)
    assert exc.value.field == "skus"


def test_imported_goods_need_both_compliance_documents_before_review(manager, supplier):
    product = make_draft(manager, supplier, is_imported=True)

    with pytest.raises(ValidationFailed) as exc:
        services.product_submit(actor=manager, product=product)
    assert exc.value.field == "customs_declaration"
    assert "customs declaration" in exc.value.message.lower()

    services.product_update(
        actor=manager, product=product,
        changes=ProductChanges(add_documents=[(ComplianceDocument.Kind.CUSTOMS_DECLARATION, pdf_upload())]),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as exc:
        services.product_submit(actor=manager, product=product)
    assert exc.value.field == "inspection_certificate"

    services.product_update(
        actor=manager, product=product,
        changes=ProductChanges(add_documents=[(ComplianceDocument.Kind.INSPECTION_CERTIFICATE, image_upload("cert.jpg", "JPEG"))]),
    )  # fmt: skip
    assert services.product_submit(actor=manager, product=product).status == Product.Status.PENDING_REVIEW


def test_compliance_document_must_be_pdf_jpeg_or_png(manager, supplier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    product = make_draft(manager, supplier, is_imported=True)
    with pytest.raises(ValidationFailed) as exc:
        services.product_update(
            actor=manager, product=product,
            changes=ProductChanges(add_documents=[("customs_declaration", SimpleUploadedFile("a.docx", b"PK\x03\x04 word"))]),
        )  # fmt: skip
    assert exc.value.field == "customs_declaration"


def test_reject_records_the_reason_and_notifies_the_supplier(manager, supplier, staff_user):
    product = services.product_submit(actor=manager, product=make_draft(manager, supplier))

    product = services.product_reject(actor=staff_user, product=product, reason="圖片與商品不符")

    assert product.status == Product.Status.REJECTED
    assert product.status_reason == "圖片與商品不符"
    note = Notification.objects.get(user=manager, kind="listing_rejected")
    assert note.body == "圖片與商品不符"
    # the supplier fixes it and submits again
    assert services.product_submit(actor=manager, product=product).status == Product.Status.PENDING_REVIEW


def test_reject_needs_a_reason(manager, supplier, staff_user):
    product = services.product_submit(actor=manager, product=make_draft(manager, supplier))
    with pytest.raises(ValidationFailed):
        services.product_reject(actor=staff_user, product=product, reason="  ")


def test_approving_twice_is_refused_as_invalid_state(manager, supplier, staff_user):
    product = services.product_submit(actor=manager, product=make_draft(manager, supplier))
    services.product_approve(actor=staff_user, product=product)
    with pytest.raises(InvalidState):
        services.product_approve(actor=staff_user, product=product)


def test_submitting_a_listed_product_is_refused(manager, supplier):
    product = ProductFactory(supplier=supplier)
    SKUFactory(product=product)
    with pytest.raises(InvalidState):
        services.product_submit(actor=manager, product=product)


def test_editing_a_listed_products_text_waits_for_review_and_keeps_the_approved_version(manager, supplier, staff_user):
    product = ProductFactory(supplier=supplier, title="舊標題", description="<p>舊</p>")

    product = services.product_update(
        actor=manager, product=product, changes=ProductChanges(fields={"title": "新標題", "description": "<p>新</p>"})
    )

    assert product.status == Product.Status.LISTED
    assert product.has_pending_changes
    assert (product.title, product.approved_title, product.approved_description) == ("新標題", "舊標題", "<p>舊</p>")

    product = services.product_approve(actor=staff_user, product=product)
    assert not product.has_pending_changes
    assert (product.approved_title, product.approved_description) == ("新標題", "<p>新</p>")
    assert AuditEvent.objects.filter(action="product.changes_approved").exists()


def test_rejected_changes_restore_the_approved_version(manager, supplier, staff_user):
    product = ProductFactory(supplier=supplier, title="舊標題")
    old_image = ProductImage.objects.create(product=product, image="products/old.png", approved=True)
    services.product_update(
        actor=manager, product=product,
        changes=ProductChanges(fields={"title": "誇大標題"}, add_images=[image_upload()], remove_image_ids=[old_image.pk]),
    )  # fmt: skip
    old_image.refresh_from_db()
    assert old_image.pending_removal  # still shown to resellers until review

    product = services.product_reject(actor=staff_user, product=product, reason="標題誇大")

    assert product.status == Product.Status.LISTED
    assert product.title == "舊標題" and not product.has_pending_changes
    assert list(product.images.values_list("pk", "pending_removal")) == [(old_image.pk, False)]


def test_approved_changes_drop_removed_images_and_show_new_ones(manager, supplier, staff_user):
    product = ProductFactory(supplier=supplier)
    old_image = ProductImage.objects.create(product=product, image="products/old.png", approved=True)
    services.product_update(
        actor=manager, product=product, changes=ProductChanges(add_images=[image_upload()], remove_image_ids=[old_image.pk])
    )
    product = Product.objects.get(pk=product.pk)
    assert product.has_pending_changes

    services.product_approve(actor=staff_user, product=product)

    assert not ProductImage.objects.filter(pk=old_image.pk).exists()
    assert list(product.images.values_list("approved", flat=True)) == [True]


def test_price_changes_on_a_listed_product_need_no_review_and_tell_the_store_list(manager, supplier, monkeypatch):
    calls = []
    monkeypatch.setattr("resellers.services.store_list_on_sku_changed", lambda **kw: calls.append(kw))
    product = ProductFactory(supplier=supplier)
    sku = SKUFactory(product=product)

    services.product_update(
        actor=manager, product=product,
        changes=ProductChanges(sku_updates={sku.pk: {"min_retail_amount": Decimal("89.00"), "weight_grams": 250}}),
    )  # fmt: skip

    product = Product.objects.get(pk=product.pk)
    sku.refresh_from_db()
    assert not product.has_pending_changes
    assert sku.min_retail_amount == Decimal("89.00")
    assert [c["changes"] for c in calls] == [{"min_retail_amount"}]
    assert calls[0]["sku"].pk == sku.pk


def test_sku_update_refuses_a_range_that_breaks_the_rules(manager, supplier, monkeypatch):
    calls = []
    monkeypatch.setattr("resellers.services.store_list_on_sku_changed", lambda **kw: calls.append(kw))
    sku = SKUFactory(product=ProductFactory(supplier=supplier))
    with pytest.raises(ValidationFailed) as exc:
        services.sku_update(actor=manager, sku=sku, values={"max_retail_amount": Decimal("90.00")})
    assert exc.value.field == "suggested_retail_amount"
    assert calls == []


def test_supplier_delists_with_a_reason_and_store_lists_are_told(manager, supplier, monkeypatch):
    calls = []
    monkeypatch.setattr("resellers.services.store_list_on_product_delisted", lambda **kw: calls.append(kw))
    product = ProductFactory(supplier=supplier)

    product = services.product_delist(actor=manager, product=product, reason="停產")

    assert product.status == Product.Status.DELISTED and product.status_reason == "停產"
    assert [c["product"].pk for c in calls] == [product.pk]


def test_staff_delist_notifies_the_supplier(manager, supplier, staff_user):
    product = ProductFactory(supplier=supplier)
    services.product_delist(actor=staff_user, product=product, reason="違反發布規則")
    assert Notification.objects.filter(user=manager, kind="listing_delisted", body="違反發布規則").exists()


def test_delisting_a_draft_is_refused(manager, supplier):
    with pytest.raises(InvalidState):
        services.product_delist(actor=manager, product=make_draft(manager, supplier), reason="x")


def test_delisting_needs_a_reason(manager, supplier):
    with pytest.raises(ValidationFailed):
        services.product_delist(actor=manager, product=ProductFactory(supplier=supplier), reason="")


def test_delisting_a_product_under_review_keeps_its_images_for_the_next_review(manager, supplier, staff_user):
    product = services.product_create(actor=manager, supplier=supplier, fields=fields(), skus=[sku_input()], images=[image_upload()])
    product = services.product_submit(actor=manager, product=product)

    product = services.product_delist(actor=manager, product=product, reason="暫不上架")
    product = services.product_submit(actor=manager, product=product)
    product = services.product_approve(actor=staff_user, product=product)

    assert list(product.images.values_list("approved", flat=True)) == [True]


def test_a_supplier_not_yet_approved_cannot_submit_products(manager, supplier):
    product = make_draft(manager, supplier)
    Supplier.objects.filter(pk=supplier.pk).update(status=Supplier.Status.PENDING_REVIEW)
    with pytest.raises(InvalidState, match="not been approved"):
        services.product_submit(actor=manager, product=product)


def test_a_supplier_suspended_from_listing_cannot_submit_until_the_penalty_ends(manager, supplier):
    import time_machine
    from django.utils import timezone

    from accounts.models import Penalty

    product = make_draft(manager, supplier)
    now = timezone.now()
    Penalty.objects.create(
        organisation=supplier.organisation, rule="R3", description="虛假宣傳",
        sanction=Penalty.Sanction.SUSPEND_LISTING, starts_at=now, ends_at=now + timedelta(days=7),
    )  # fmt: skip
    with pytest.raises(InvalidState, match="suspended"):
        services.product_submit(actor=manager, product=product)
    with time_machine.travel(now + timedelta(days=8)):
        assert services.product_submit(actor=manager, product=product).status == Product.Status.PENDING_REVIEW
