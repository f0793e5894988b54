"""The product editor: description paragraphs and images, attribute rows, the variant grid, SKU rows
added and removed, images uploaded first and kept across mistakes (never another organisation's),
their order, and the return window."""

# ruff: noqa: F811  (pytest fixtures imported from test_views_catalog are redefined as test arguments)
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from suppliers.models import SKU, Product, ProductImage, ProductUpload
from suppliers.validators import sanitise_description
from tests.suppliers.catalog_helpers import image_upload, member
from tests.suppliers.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

# the catalog view tests' fixtures (supplier, its manager, a client logged in as them) are shared, not copied
from tests.suppliers.test_views_catalog import manager, manager_client, product_post, sku_row, sku_rows, supplier  # noqa: F401

pytestmark = pytest.mark.django_db


def _upload(client, name="a.png", **extra):
    response = client.post(reverse("suppliers:product_upload"), {"images": [image_upload(name)]}, **extra)
    assert response.status_code == 200, response.content
    return ProductUpload.objects.order_by("-pk").first()


# --- description ---------------------------------------------------------------------------------


def test_blank_lines_in_a_typed_description_stay_paragraphs():
    assert sanitise_description("第一段\n第二行\n\n第二段") == "<p>第一段<br>第二行</p><p>第二段</p>"


def test_the_editors_blocks_become_paragraphs_and_images_stay_without_scripts():
    html = (
        '<div>一<br><br>二<br></div><figure data-trix-attachment="{}" class="attachment">'
        '<img src="/media/uploads/0123456789abcdef0123456789abcdef.png" width="10" onerror="x()">'
        '<figcaption>圖</figcaption></figure><img src="javascript:alert(1)"><script>x()</script>'
    )
    assert sanitise_description(html) == (
        '<p>一</p><p>二</p><figure><img src="/media/uploads/0123456789abcdef0123456789abcdef.png" width="10">'
        "<figcaption>圖</figcaption></figure><img>"
    )


def test_an_image_uploaded_in_the_description_is_tied_to_the_product_and_shown_to_resellers_once_listed(manager_client, client):
    response = manager_client.post(
        reverse("suppliers:product_upload"), {"file": image_upload("d.png")}, headers={"accept": "application/json"}
    )
    url = response.json()["url"]
    upload = ProductUpload.objects.get(pk=response.json()["id"])
    data = {**product_post(CategoryFactory(), description=f'<div>看圖</div><figure><img src="{url}"></figure>'),
            **sku_rows(sku_row("D-1"))}  # fmt: skip
    assert manager_client.post(reverse("suppliers:product_create"), data).status_code == 302
    product = Product.objects.get(title="純棉T恤")
    assert f'<img src="{url}">' in product.description
    upload.refresh_from_db()
    assert upload.product == product
    stranger = member(SupplierFactory(), "manager")
    client.force_login(stranger)
    assert client.get(url).status_code == 404  # a draft's picture is the supplier's own
    Product.objects.filter(pk=product.pk).update(status=Product.Status.LISTED)
    assert client.get(url).status_code == 200


# --- attributes as rows ----------------------------------------------------------------------------


def test_attributes_come_as_name_value_rows_or_typed_text(manager_client):
    data = {**product_post(CategoryFactory()), **sku_rows(sku_row("P-1", attributes=""), sku_row("P-2", attributes="顏色: 紅, 尺碼: M"))}
    data["skus-0-attributes-name"] = ["顏色", "尺碼", ""]
    data["skus-0-attributes-value"] = ["藍", "L", ""]
    assert manager_client.post(reverse("suppliers:product_create"), data).status_code == 302
    assert SKU.objects.get(code="P-1").attributes == {"顏色": "藍", "尺碼": "L"}
    assert SKU.objects.get(code="P-2").attributes == {"顏色": "紅", "尺碼": "M"}


def test_a_half_filled_attribute_row_is_refused_naming_the_row_and_field(manager_client):
    data = {**product_post(CategoryFactory()), **sku_rows(sku_row("H-1"), sku_row("H-2", attributes=""))}
    data["skus-1-attributes-name"] = ["顏色"]
    data["skus-1-attributes-value"] = [""]
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    assert "Row 2 (H-2), Attributes: Write attributes as name=value pairs" in response.content.decode()
    assert not Product.objects.exists()


def test_the_edit_page_shows_saved_attributes_as_rows(manager_client, supplier):
    product = ProductFactory(supplier=supplier)
    SKUFactory(product=product, attributes={"顏色": "白"})
    page = manager_client.get(reverse("suppliers:product_edit", args=[product.pk])).content.decode()
    assert 'name="skus-0-attributes-name" value="顏色"' in page and 'name="skus-0-attributes-value" value="白"' in page


# --- variant grid and rows -------------------------------------------------------------------------


def test_the_grid_makes_one_row_per_combination_after_the_rows_on_the_page(manager_client):
    response = manager_client.post(reverse("suppliers:sku_rows"), {
        "action": "generate", "skus-TOTAL_FORMS": "2", "grid-code_prefix": "TEE", "grid-option_1_name": "顏色",
        "grid-option_1_values": "紅, 藍、黑", "grid-option_2_name": "尺碼", "grid-option_2_values": "S,M,L,XL",
        "grid-supply_price_amount": "50", "grid-suggested_retail_amount": "99", "grid-min_retail_amount": "79",
        "grid-max_retail_amount": "129", "grid-on_hand": "5",
    })  # fmt: skip
    page = response.content.decode()
    assert page.count("data-sku-row") == 12
    assert 'name="skus-2-code" value="TEE-紅-S"' in page and 'name="skus-13-code" value="TEE-黑-XL"' in page
    assert 'name="skus-13-attributes-value" value="XL"' in page and 'name="skus-13-on_hand" value="5"' in page
    assert 'id="id_skus-TOTAL_FORMS" hx-swap-oob="true"' in page and 'value="14"' in page


def test_grid_mistakes_come_back_in_the_grid_and_add_no_rows(manager_client):
    response = manager_client.post(
        reverse("suppliers:sku_rows"),
        {"action": "generate", "skus-TOTAL_FORMS": "1", "grid-code_prefix": "T", "grid-option_1_name": "顏色", "grid-option_1_values": ""},
    )
    assert response["HX-Retarget"] == "#variant-grid"
    page = response.content.decode()
    assert "Give at least one value for “顏色”." in page and "data-sku-row" not in page


def test_the_grid_refuses_more_than_a_hundred_skus(manager_client):
    response = manager_client.post(reverse("suppliers:sku_rows"), {
        "action": "generate", "skus-TOTAL_FORMS": "0", "grid-code_prefix": "T", "grid-option_1_name": "a",
        "grid-option_1_values": ",".join(str(i) for i in range(11)), "grid-option_2_name": "b",
        "grid-option_2_values": ",".join(str(i) for i in range(10)),
    })  # fmt: skip
    assert "These options make 110 SKUs; a product may have at most 100." in response.content.decode()


def test_add_a_row_gives_the_next_index(manager_client):
    page = manager_client.post(reverse("suppliers:sku_rows"), {"action": "add", "skus-TOTAL_FORMS": "3"}).content.decode()
    assert page.count("data-sku-row") == 1 and 'name="skus-3-code"' in page and 'value="4"' in page


def test_a_removed_new_row_is_neither_checked_nor_saved(manager_client):
    data = {**product_post(CategoryFactory()), **sku_rows(sku_row("KEEP-1"), sku_row("GONE-1", supply_price_amount="x", DELETE="on"))}
    assert manager_client.post(reverse("suppliers:product_create"), data).status_code == 302
    assert list(SKU.objects.values_list("code", flat=True)) == ["KEEP-1"]


def test_a_saved_sku_cannot_be_removed_from_the_edit_page(manager_client, supplier):
    product = ProductFactory(supplier=supplier)
    sku = SKUFactory(product=product)
    page = manager_client.get(reverse("suppliers:product_edit", args=[product.pk])).content.decode()
    assert 'name="skus-0-DELETE"' not in page and 'name="skus-1-DELETE"' in page
    assert SKU.objects.filter(pk=sku.pk).exists()


def test_twelve_rows_are_saved_in_one_submit_and_mistakes_name_row_and_field(manager_client):
    rows = [sku_row(f"G-{i}", attributes=f"顏色={c}; 尺碼={s}") for i, (c, s) in enumerate((c, s) for c in "紅藍黑" for s in "SMLX")]
    rows[4]["supply_price_amount"] = "200.00"
    data = {**product_post(CategoryFactory()), **sku_rows(*rows)}
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    assert "Row 5 (G-4), Supply price: The supply price must not be above the minimum retail price." in response.content.decode()
    rows[4]["supply_price_amount"] = "50.00"
    fixed = {**product_post(CategoryFactory()), **sku_rows(*rows)}
    assert manager_client.post(reverse("suppliers:product_create"), fixed).status_code == 302
    assert SKU.objects.count() == 12


# --- images: uploaded first, kept, ordered, never another organisation's ----------------------------


def test_an_upload_belongs_to_the_organisation_and_only_it_sees_the_file(manager_client, client):
    upload = _upload(manager_client)
    assert upload.supplier_id is not None and upload.product is None
    assert manager_client.get(upload.image.url).status_code == 200
    client.force_login(member(SupplierFactory(), "manager"))
    assert client.get(upload.image.url).status_code == 404


def test_a_non_image_upload_is_refused_with_its_reason(manager_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = manager_client.post(reverse("suppliers:product_upload"), {"images": [SimpleUploadedFile("x.png", b"no")]})
    assert response["HX-Retarget"] == "#image-upload-error"
    assert "x.png: Upload a JPEG, PNG or WebP image." in response.content.decode()
    assert not ProductUpload.objects.exists()


def test_images_sent_with_a_form_that_has_a_mistake_are_kept_and_saved_on_the_fixed_submit(manager_client):
    data = {**product_post(CategoryFactory(), title=""), **sku_rows(sku_row("K-1"))}
    data["images"] = [image_upload("a.png"), image_upload("b.png")]
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    uploads = list(ProductUpload.objects.order_by("pk"))
    assert len(uploads) == 2
    page = response.content.decode()
    assert all(f'name="image_order" value="upload:{u.pk}"' in page for u in uploads)
    # fixed, and the second image dragged first
    fixed = {**product_post(CategoryFactory()), **sku_rows(sku_row("K-1"))}
    fixed["image_order"] = [f"upload:{uploads[1].pk}", f"upload:{uploads[0].pk}"]
    assert manager_client.post(reverse("suppliers:product_create"), fixed).status_code == 302
    product = Product.objects.get()
    images = list(product.images.order_by("position"))
    assert [i.position for i in images] == [0, 1] and images[0].image.name.startswith("products/")
    assert not ProductUpload.objects.exists()


def _foreign_upload(other=None):
    other_client = Client()
    other_client.force_login(member(other or SupplierFactory(), "manager"))
    return _upload(other_client)


def test_another_organisations_upload_cannot_be_attached(manager_client):
    other = SupplierFactory()
    foreign = _foreign_upload(other)
    data = {**product_post(CategoryFactory()), **sku_rows(sku_row("X-1")), "image_order": [f"upload:{foreign.pk}"]}
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422
    assert "An uploaded image was not found; upload it again." in response.content.decode()
    assert foreign.image.url not in response.content.decode()
    assert not Product.objects.exists() and not ProductImage.objects.exists()
    assert ProductUpload.objects.get(pk=foreign.pk).supplier == other


def test_another_organisations_upload_cannot_be_attached_on_edit_either(manager_client, supplier):
    product = ProductFactory(supplier=supplier)
    foreign = _foreign_upload()
    data = {**product_post(CategoryFactory()), **sku_rows(), "image_order": [f"upload:{foreign.pk}"]}
    assert manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), data).status_code == 422
    assert not product.images.exists()


def test_dragged_order_is_saved_on_edit_with_new_uploads_in_between(manager_client, supplier):
    product = ProductFactory(supplier=supplier)
    first = ProductImage.objects.create(product=product, image="products/a.png", position=0)
    second = ProductImage.objects.create(product=product, image="products/b.png", position=1)
    upload = _upload(manager_client, "new.png")
    data = {**product_post(product.category), **sku_rows(),
            "image_order": [f"image:{second.pk}", f"upload:{upload.pk}", f"image:{first.pk}"]}  # fmt: skip
    assert manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), data).status_code == 302
    ordered = list(product.images.order_by("position", "pk"))
    assert ordered[0] == second and ordered[2] == first and ordered[1].pk not in (first.pk, second.pk)
    assert not ProductUpload.objects.exists()


def test_another_products_image_in_the_order_is_refused(manager_client, supplier):
    product = ProductFactory(supplier=supplier)
    foreign = ProductImage.objects.create(product=ProductFactory(), image="products/z.png", position=0)
    data = {**product_post(product.category), **sku_rows(), "image_order": [f"image:{foreign.pk}"]}
    response = manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), data)
    assert response.status_code == 422
    assert ProductImage.objects.get(pk=foreign.pk).product_id != product.pk


def test_a_reseller_cannot_upload(client, reseller_member):
    user, _reseller = reseller_member
    client.force_login(user)
    assert client.post(reverse("suppliers:product_upload"), {"images": [image_upload()]}).status_code == 403
    assert client.post(reverse("suppliers:sku_rows"), {"action": "add"}).status_code == 403
    assert not ProductUpload.objects.exists()


# --- return window ---------------------------------------------------------------------------------


def test_the_return_window_is_set_on_create_and_changed_on_edit(manager_client):
    data = {**product_post(CategoryFactory(), quality_return_days="30"), **sku_rows(sku_row("R-1"))}
    assert manager_client.post(reverse("suppliers:product_create"), data).status_code == 302
    product = Product.objects.get()
    assert product.no_reason_return is False and product.quality_return_days == 30
    edit = {**product_post(product.category, no_reason_return="on", quality_return_days="7"), **sku_rows()}
    edit.update(sku_rows(sku_row("R-1", sku_id=str(product.skus.get().pk)), existing=1))
    assert manager_client.post(reverse("suppliers:product_edit", args=[product.pk]), edit).status_code == 302
    product = Product.objects.get(pk=product.pk)
    assert product.no_reason_return is True and product.quality_return_days == 7


def test_a_return_window_out_of_range_is_refused_on_its_field(manager_client):
    data = {**product_post(CategoryFactory(), quality_return_days="400"), **sku_rows(sku_row("R-2"))}
    response = manager_client.post(reverse("suppliers:product_create"), data)
    assert response.status_code == 422 and "quality_return_days" in response.context["form"].errors


def test_uploads_no_product_took_go_after_a_day_with_their_files(manager_client, supplier, django_capture_on_commit_callbacks):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from suppliers.sweeps import sweep_product_uploads

    with time_machine.travel(timezone.now() - timedelta(days=2)):
        old = _upload(manager_client, "old.png")
        described = _upload(manager_client, "described.png")
    described.product = ProductFactory(supplier=supplier)
    described.save()
    fresh = _upload(manager_client, "fresh.png")
    storage = old.image.storage
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_product_uploads(now=timezone.now())
    assert result.acted == [str(old.pk)]
    assert set(ProductUpload.objects.values_list("pk", flat=True)) == {described.pk, fresh.pk}
    assert not storage.exists(old.image.name) and storage.exists(fresh.image.name)
