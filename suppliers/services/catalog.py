"""Writes for the catalog: products and their moderation (R3), images, compliance documents, SKUs, stock.

Every function here is one transaction: it locks the rows it changes, re-checks
state, writes, records an audit row and tells the resellers' store list about
changes it depends on (domain events ``sku.changed``, ``product.delisted``, to which the resellers'
store list subscribes inside the transaction). Callers (views, admin, the API, the importer) need not hold locks.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed
from PIL import Image, ImageOps

from accounts.models import Penalty
from accounts.permissions import require_manager
from accounts.services import notify_organisation
from distribution.core import divisions, events
from distribution.core.audit import audit
from distribution.core.errors import DomainError, InvalidState, PermissionDenied, ValidationFailed
from suppliers import text_kinds as K
from suppliers.events import publish_sku_changed
from suppliers.models import SKU, Category, ComplianceDocument, Product, ProductImage, ProductUpload, StockAdjustment, Supplier
from suppliers.validators import (
    description_upload_names,
    sanitise_description,
    sku_price_errors,
    validate_compliance_document,
    validate_product_image,
)

THUMBNAIL_SIZE = (400, 400)
# Changes to these SKU fields matter to resellers' published entries (R7, R10); an inactive SKU is off sale.
WATCHED_SKU_FIELDS = ("supply_price_amount", "min_retail_amount", "max_retail_amount", "on_hand", "is_active")
PRICE_FIELDS = ("supply_price_amount", "suggested_retail_amount", "min_retail_amount", "max_retail_amount")
REVIEWED_FIELDS = ("title", "description")
PRODUCT_FIELDS = (
    "title", "description", "category", "brand", "province_code", "city_code", "is_imported",
    "no_reason_return", "quality_return_days",
)  # fmt: skip
MAX_QUALITY_RETURN_DAYS = 365
REQUIRED_DOCUMENT_KINDS = (
    ComplianceDocument.Kind.CUSTOMS_DECLARATION,
    ComplianceDocument.Kind.INSPECTION_CERTIFICATE,
)


class BelowReserved(DomainError):
    code = "below_reserved"
    status = 409
    default_message = _("Stock on hand cannot go below the quantity reserved by open purchase orders.")


class NegativeStock(DomainError):
    code = "negative_stock"
    status = 409
    default_message = _("Stock on hand cannot go below zero.")


@dataclass
class SKUInput:
    """One SKU as typed in a form or an import row (already parsed)."""

    code: str
    attributes: dict[str, str]
    supply_price_amount: Decimal
    suggested_retail_amount: Decimal
    min_retail_amount: Decimal
    max_retail_amount: Decimal
    weight_grams: int = 0
    on_hand: int = 0


@dataclass
class ProductChanges:
    """What ``product_update`` changes; fields left ``None`` stay as they are."""

    fields: dict[str, Any] = field(default_factory=dict)
    new_skus: list[SKUInput] = field(default_factory=list)
    sku_updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    add_images: list[UploadedFile] = field(default_factory=list)
    remove_image_ids: list[int] = field(default_factory=list)
    add_documents: list[tuple[str, UploadedFile]] = field(default_factory=list)
    remove_document_ids: list[int] = field(default_factory=list)
    # Editor uploads to attach (``product_upload_create``), and the gallery's order as the supplier
    # left it: ``("image", ProductImage id)`` / ``("upload", ProductUpload id)``; unnamed images go last.
    add_uploads: list[ProductUpload] = field(default_factory=list)
    image_order: list[tuple[str, int]] = field(default_factory=list)


# --- guards -----------------------------------------------------------------------------------






def _require_platform_staff(actor: Any) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff may review listings."))


def _require_supplier_may_list(supplier: Supplier, *, now: datetime) -> None:
    """Only an approved supplier without a listing suspension sends products to review (R2, R17)."""
    if supplier.status != Supplier.Status.ACTIVE:
        raise InvalidState(_("Your company profile has not been approved yet; you can submit products once it is active."))
    if Penalty.objects.suspending_listing(now).filter(organisation_id=supplier.pk).exists():
        raise InvalidState(_("Your organisation is suspended from listing products by the platform."))


def _lock_product(product: Product) -> Product:
    return Product.objects.select_for_update().get(pk=product.pk)


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise product fields (the form did the same; the API and importer rely on this)."""
    cleaned = {k: v for k, v in data.items() if k in PRODUCT_FIELDS}
    errors: dict[str, list[str]] = {}
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            errors["title"] = [str(_("Enter a title."))]
    if "description" in cleaned:
        cleaned["description"] = sanitise_description(cleaned["description"])
    if "quality_return_days" in cleaned:
        days = cleaned["quality_return_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_QUALITY_RETURN_DAYS:
            errors["quality_return_days"] = [str(_("Enter a number of days from 0 to %(max)s.") % {"max": MAX_QUALITY_RETURN_DAYS})]
    if "no_reason_return" in cleaned:
        cleaned["no_reason_return"] = bool(cleaned["no_reason_return"])
    if "category" in cleaned and not isinstance(cleaned["category"], Category):
        errors["category"] = [str(_("Choose a category."))]
    if "province_code" in cleaned or "city_code" in cleaned:
        try:
            divisions.validate_location(cleaned.get("province_code", ""), cleaned.get("city_code", ""))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[f"{key}_code"] = messages
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(errors[first][0], field=first)
    return cleaned


def _check_sku_input(supplier_id: int, sku: SKUInput, *, exclude_pk: int | None = None) -> None:
    code = (sku.code or "").strip()
    if not code:
        raise ValidationFailed(_("Enter a SKU code."), field="code")
    taken = SKU.objects.filter(supplier_id=supplier_id, code=code)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(_("The SKU code “%(code)s” is already used by another of your SKUs.") % {"code": code}, field="code")
    for name in PRICE_FIELDS:
        value = getattr(sku, name)
        if value is None or value <= 0:
            raise ValidationFailed(_("Prices must be greater than zero."), field=name)
        if value.as_tuple().exponent < -2:
            raise ValidationFailed(_("Use at most two decimal places."), field=name)
    errors = sku_price_errors(
        supply=sku.supply_price_amount,
        suggested=sku.suggested_retail_amount,
        minimum=sku.min_retail_amount,
        maximum=sku.max_retail_amount,
    )
    if errors:
        name, message = next(iter(errors.items()))
        raise ValidationFailed(message, field=name)
    if sku.on_hand < 0:
        raise ValidationFailed(_("Stock cannot be negative."), field="on_hand")
    if sku.weight_grams < 0:
        raise ValidationFailed(_("Weight cannot be negative."), field="weight_grams")


# --- files ------------------------------------------------------------------------------------


def _thumbnail(upload: UploadedFile) -> ContentFile:
    upload.seek(0)
    with Image.open(upload) as source:
        im = ImageOps.exif_transpose(source)
        im.thumbnail(THUMBNAIL_SIZE)
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
        out = io.BytesIO()
        im.save(out, format="WEBP", quality=80)
    upload.seek(0)
    return ContentFile(out.getvalue(), name=f"{PurePath(upload.name).stem}_thumb.webp")


def _add_image(product: Product, upload: UploadedFile, position: int) -> ProductImage:
    try:
        validate_product_image(upload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="images") from None
    image = ProductImage(product=product, position=position, approved=False)
    image.image.save(PurePath(upload.name).name, upload, save=False)
    image.thumbnail.save("thumb.webp", _thumbnail(upload), save=False)
    image.save()
    return image


@transaction.atomic
def product_upload_create(*, actor: Any, supplier: Supplier, upload: UploadedFile) -> ProductUpload:
    """An image uploaded from the product editor, kept until a product is saved with it."""
    require_manager(actor, supplier.pk)
    try:
        validate_product_image(upload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="images") from None
    row = ProductUpload(supplier=supplier, uploaded_by=actor if getattr(actor, "pk", None) else None,
                        original_name=PurePath(upload.name or "").name[:200])  # fmt: skip
    upload.seek(0)
    row.image.save(row.original_name or "image", upload, save=False)
    row.save()
    return row


def _attach_uploads(product: Product, uploads: Sequence[ProductUpload], positions: dict[int, int], start: int) -> bool:
    """Gallery uploads become the product's images (the upload row and its file go); False when none."""
    locked = list(
        ProductUpload.objects.select_for_update().filter(
            pk__in=[u.pk for u in uploads], supplier_id=product.supplier_id, product__isnull=True
        )
    )
    if len(locked) != len({u.pk for u in uploads}):
        raise ValidationFailed(_("An uploaded image is no longer available; upload it again."), field="images")
    by_pk = {u.pk: u for u in locked}
    for offset, upload in enumerate(uploads):
        row = by_pk[upload.pk]
        image = ProductImage(product=product, position=positions.get(row.pk, start + offset), approved=False)
        with row.image.open("rb") as source:
            source.name = row.original_name or PurePath(row.image.name).name
            image.image.save(PurePath(source.name).name, source, save=False)
            image.thumbnail.save("thumb.webp", _thumbnail(source), save=False)
        image.save()
        name, storage = row.image.name, row.image.storage
        row.delete()
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    return bool(locked)


def _claim_description_uploads(product: Product) -> None:
    """Uploads the description shows are tied to the product (and public once it is listed)."""
    names = description_upload_names(product.description)
    if names:
        ProductUpload.objects.filter(supplier_id=product.supplier_id, image__in=names, product__isnull=True).update(product=product)


def _add_document(product: Product, kind: str, upload: UploadedFile) -> ComplianceDocument:
    if kind not in ComplianceDocument.Kind.values:
        raise ValidationFailed(_("Choose the kind of document."), field="kind")
    try:
        validate_compliance_document(upload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field=kind) from None
    document = ComplianceDocument(product=product, kind=kind)
    document.file.save(PurePath(upload.name).name, upload, save=False)
    document.save()
    return document


def missing_compliance_documents(product: Product) -> list[str]:
    """Kinds an imported product still lacks (empty when not imported)."""
    if not product.is_imported:
        return []
    present = set(product.compliance_documents.values_list("kind", flat=True))
    return [kind for kind in REQUIRED_DOCUMENT_KINDS if kind not in present]


# --- products ---------------------------------------------------------------------------------


def _create_sku(*, actor: Any, product: Product, data: SKUInput) -> SKU:
    _check_sku_input(product.supplier_id, data)
    try:
        with transaction.atomic():
            sku = SKU.objects.create(
                supplier_id=product.supplier_id,
                product=product,
                code=data.code.strip(),
                attributes=data.attributes,
                supply_price_amount=data.supply_price_amount,
                suggested_retail_amount=data.suggested_retail_amount,
                min_retail_amount=data.min_retail_amount,
                max_retail_amount=data.max_retail_amount,
                weight_grams=data.weight_grams,
                on_hand=data.on_hand,
            )
    except IntegrityError:
        raise ValidationFailed(
            _("The SKU code “%(code)s” is already used by another of your SKUs.") % {"code": data.code}, field="code"
        ) from None
    if data.on_hand:
        StockAdjustment.objects.create(
            sku=sku, supplier_id=sku.supplier_id, actor=actor if getattr(actor, "pk", None) else None, delta=data.on_hand,
            on_hand_after=data.on_hand, reason=str(_("Initial stock")),
        )  # fmt: skip
    return sku


@transaction.atomic
def product_create(
    *,
    actor: Any,
    supplier: Supplier,
    fields: dict[str, Any],
    skus: Sequence[SKUInput] = (),
    images: Iterable[UploadedFile] = (),
    documents: Iterable[tuple[str, UploadedFile]] = (),
    uploads: Sequence[ProductUpload] = (),
) -> Product:
    """A new draft product with its SKUs, images and compliance documents, all or nothing.

    ``uploads`` (the editor's uploads, in gallery order) follow ``images``."""
    require_manager(actor, supplier.pk)
    cleaned = _clean_fields(fields)
    for required in ("title", "category", "province_code", "city_code"):
        if not cleaned.get(required):
            raise ValidationFailed(_("This field is required."), field=required)
    product = Product.objects.create(supplier=supplier, **cleaned)
    position = -1
    for position, upload in enumerate(images):
        _add_image(product, upload, position)
    if uploads:
        _attach_uploads(product, uploads, {}, position + 1)
    _claim_description_uploads(product)
    for kind, upload in documents:
        _add_document(product, kind, upload)
    for sku in skus:
        _create_sku(actor=actor, product=product, data=sku)
    audit(actor=actor, action="product.created", obj=product, organisation=supplier.organisation,
          summary=product.title, data={"skus": [s.code for s in skus]})  # fmt: skip
    return product


def _apply_sku_update(*, actor: Any, sku: SKU, values: dict[str, Any]) -> set[str]:
    """Price/attribute/weight changes on a locked SKU; returns the watched fields that changed."""
    allowed = {"code", "attributes", "weight_grams", "is_active", *PRICE_FIELDS}
    values = {k: v for k, v in values.items() if k in allowed}
    proposed = SKUInput(
        code=values.get("code", sku.code),
        attributes=values.get("attributes", sku.attributes),
        weight_grams=values.get("weight_grams", sku.weight_grams),
        on_hand=sku.on_hand,
        **{name: values.get(name, getattr(sku, name)) for name in PRICE_FIELDS},
    )
    _check_sku_input(sku.supplier_id, proposed, exclude_pk=sku.pk)
    changed = {k for k, v in values.items() if getattr(sku, k) != v}
    if not changed:
        return set()
    before = {k: str(getattr(sku, k)) for k in changed}
    for k in changed:
        setattr(sku, k, values[k])
    sku.save(update_fields=[*changed, "updated_at"])
    audit(actor=actor, action="sku.updated", obj=sku, summary=sku.code,
          data={"before": before, "after": {k: str(getattr(sku, k)) for k in changed}})  # fmt: skip
    watched = changed & set(WATCHED_SKU_FIELDS)
    if watched:
        publish_sku_changed(sku_ids=[sku.pk], changes=watched)
    return watched


def _update_images(product: Product, changes: ProductChanges, *, listed: bool) -> bool:
    """Remove and add the product's images; True when a listed product's images now await review."""
    needs_review = False
    images = {img.pk: img for img in product.images.all()}
    for image_id in changes.remove_image_ids:
        image = images.get(image_id)
        if image is None:
            continue
        if listed and image.approved:
            image.pending_removal = True
            image.save(update_fields=["pending_removal"])
            needs_review = True
        else:
            image.delete()
    position = max((img.position for img in images.values()), default=-1) + 1
    for offset, upload in enumerate(changes.add_images):
        _add_image(product, upload, position + offset)
        needs_review = needs_review or listed
    # the gallery as ordered on the page: named images first, in that order; the rest after, as they were
    order = {key: i for i, key in enumerate(dict.fromkeys(changes.image_order))}
    rest = len(order) + len(changes.add_images)
    if changes.add_uploads:
        positions = {pk: order[("upload", pk)] for kind, pk in order if kind == "upload"}
        needs_review = _attach_uploads(product, changes.add_uploads, positions, rest) and listed or needs_review
    if order:
        for image in sorted(images.values(), key=lambda img: (img.position, img.pk)):
            if image.pk in changes.remove_image_ids and not (listed and image.approved):
                continue
            new = order.get(("image", image.pk))
            if new is None:
                new, rest = rest, rest + 1
            if image.position != new:
                image.position = new
                image.save(update_fields=["position"])
    return needs_review


@transaction.atomic
def product_update(*, actor: Any, product: Product, changes: ProductChanges) -> Product:
    """Edit a product and its SKUs in one go.

    On a listed product, changes to the title, description or images wait for staff
    review (``has_pending_changes``) while resellers keep seeing the approved version;
    prices and other fields apply at once. Stock changes go through ``sku_adjust_stock``.
    """
    require_manager(actor, product.supplier_id)
    product = _lock_product(product)
    cleaned = _clean_fields(changes.fields) if changes.fields else {}
    listed = product.status == Product.Status.LISTED
    needs_review = False
    for name, value in cleaned.items():
        if getattr(product, name) != value:
            if listed and name in REVIEWED_FIELDS:
                needs_review = True
            setattr(product, name, value)

    needs_review = _update_images(product, changes, listed=listed) or needs_review
    if "description" in cleaned:
        _claim_description_uploads(product)

    if changes.remove_document_ids:
        product.compliance_documents.filter(pk__in=list(changes.remove_document_ids)).delete()
    for kind, upload in changes.add_documents:
        _add_document(product, kind, upload)
    if listed and product.is_imported:
        missing = missing_compliance_documents(product)
        if missing:
            raise ValidationFailed(
                _("A listed imported product needs its %(kind)s.") % {"kind": ComplianceDocument.Kind(missing[0]).label},
                field=missing[0],
            )

    skus = {s.pk: s for s in SKU.objects.select_for_update().filter(product=product, pk__in=list(changes.sku_updates)).order_by("pk")}
    for sku_id, values in sorted(changes.sku_updates.items()):
        sku = skus.get(sku_id)
        if sku is None:
            raise ValidationFailed(_("That SKU does not belong to this product."), field="skus")
        _apply_sku_update(actor=actor, sku=sku, values=values)
    for data in changes.new_skus:
        _create_sku(actor=actor, product=product, data=data)

    if needs_review:
        product.mark_changed()
    product.save()
    events.publish("product.updated", product_id=product.pk, supplier_id=product.supplier_id)
    audit(actor=actor, action="product.updated", obj=product, organisation=product.supplier.organisation,
          summary=product.title, data={"needs_review": needs_review, "fields": sorted(cleaned)})  # fmt: skip
    return product


@transaction.atomic
def sku_update(*, actor: Any, sku: SKU, values: dict[str, Any]) -> SKU:
    """Change a SKU's prices, attributes, weight or code (no review needed); tells the store list."""
    require_manager(actor, sku.supplier_id)
    locked = SKU.objects.select_for_update().get(pk=sku.pk)
    if _apply_sku_update(actor=actor, sku=locked, values=values) or values:
        events.publish("product.updated", product_id=locked.product_id, supplier_id=locked.supplier_id)
    return locked


@transaction.atomic
def product_submit(*, actor: Any, product: Product) -> Product:
    """Send a draft, rejected or delisted product to staff review. Refuses incomplete listings (R3)."""
    require_manager(actor, product.supplier_id)
    product = _lock_product(product)
    _require_supplier_may_list(product.supplier, now=timezone.now())
    if not product.skus.filter(is_active=True).exists():
        raise ValidationFailed(_("Add at least one SKU before submitting for review."), field="skus")
    if not product.description:
        raise ValidationFailed(_("Describe the product before submitting it for review."), field="description")
    missing = missing_compliance_documents(product)
    if missing:
        raise ValidationFailed(
            _("Imported goods need a %(kind)s before review.") % {"kind": ComplianceDocument.Kind(missing[0]).label},
            field=missing[0],
        )
    before = product.status
    try:
        product.submit()
    except TransitionNotAllowed:
        raise InvalidState(_("This product is already under review or listed.")) from None
    product.save()
    audit(actor=actor, action="product.submitted", obj=product, organisation=product.supplier.organisation,
          summary=product.title, data={"from": before, "to": product.status})  # fmt: skip
    return product


def _settle_images(product: Product, *, accept: bool) -> None:
    """After review: accepted → new images shown, removed ones gone; refused → the reverse."""
    images = product.images.all()
    if accept:
        images.filter(pending_removal=True).delete()
        images.filter(approved=False).update(approved=True)
    else:
        images.filter(approved=False).delete()
        images.filter(pending_removal=True).update(pending_removal=False)


def _product_url(product: Product) -> str:
    return reverse("suppliers:product_detail", args=[product.pk])


@transaction.atomic
def product_approve(*, actor: Any, product: Product, now: datetime | None = None) -> Product:
    """Staff approve a product under review, or the pending changes of a listed one."""
    _require_platform_staff(actor)
    now = now or timezone.now()
    product = _lock_product(product)
    before = product.status
    if product.status == Product.Status.PENDING_REVIEW:
        product.approve()
        product.listed_at = now
        action = "product.approved"
    elif product.status == Product.Status.LISTED and product.has_pending_changes:
        product.approve_changes()
        action = "product.changes_approved"
    else:
        raise InvalidState(_("This product is not waiting for review."))
    _settle_images(product, accept=True)
    product.save()
    became_listed = action == "product.approved"
    events.publish("product.listed" if became_listed else "product.updated", product_id=product.pk, supplier_id=product.supplier_id)
    audit(actor=actor, action=action, obj=product, organisation=product.supplier.organisation,
          summary=product.title, data={"from": before, "to": product.status})  # fmt: skip
    notify_organisation(
        organisation=product.supplier.organisation, kind="listing_approved", managers_only=True,
        text=K.LISTING_APPROVED(title=product.title), url=_product_url(product),
    )  # fmt: skip
    return product


@transaction.atomic
def product_reject(*, actor: Any, product: Product, reason: str) -> Product:
    """Staff reject a product under review (or a listed product's pending changes) with a reason the supplier sees."""
    _require_platform_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the supplier a reason."), field="reason")
    product = _lock_product(product)
    before = product.status
    if product.status == Product.Status.PENDING_REVIEW:
        product.reject(reason)
        action = "product.rejected"
        text = K.LISTING_REJECTED(title=product.title, reason=reason)
    elif product.status == Product.Status.LISTED and product.has_pending_changes:
        text = K.CHANGES_REJECTED(title=product.title, reason=reason)
        product.reject_changes(reason)
        _settle_images(product, accept=False)
        action = "product.changes_rejected"
    else:
        raise InvalidState(_("This product is not waiting for review."))
    product.save()
    audit(actor=actor, action=action, obj=product, organisation=product.supplier.organisation,
          summary=reason, data={"from": before, "to": product.status, "reason": reason})  # fmt: skip
    notify_organisation(
        organisation=product.supplier.organisation, kind="listing_rejected", managers_only=True,
        text=text, url=_product_url(product),
    )  # fmt: skip
    return product


@transaction.atomic
def product_delist(*, actor: Any, product: Product, reason: str) -> Product:
    """Take a product off sale (the supplier's manager or platform staff), with a reason; unpublishes it from store lists."""
    by_staff = getattr(actor, "is_staff", False)
    if not by_staff:
        require_manager(actor, product.supplier_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for delisting."), field="reason")
    product = _lock_product(product)
    before = product.status
    try:
        product.delist(reason)
    except TransitionNotAllowed:
        raise InvalidState(_("Only a listed product or one under review can be delisted.")) from None
    # Images are left as they are: a delisted product is reviewed as a whole when it is submitted again.
    product.save()
    audit(actor=actor, action="product.delisted", obj=product, organisation=product.supplier.organisation,
          summary=reason, data={"from": before, "to": product.status, "reason": reason, "by_staff": by_staff})  # fmt: skip
    publish_sku_changed(sku_ids=list(product.skus.values_list("pk", flat=True)), changes={"delisted"})
    events.publish("product.delisted", product_id=product.pk, supplier_id=product.supplier_id)
    if by_staff:
        notify_organisation(
            organisation=product.supplier.organisation, kind="listing_delisted", managers_only=True,
            text=K.LISTING_DELISTED(title=product.title, reason=reason),
            url=_product_url(product),
        )  # fmt: skip
    return product


# --- stock ------------------------------------------------------------------------------------


def _change_stock(*, actor: Any, sku: SKU, target: int | None, delta: int | None, reason: str) -> StockAdjustment:
    locked = SKU.objects.select_for_update().get(pk=sku.pk)
    new_on_hand = target if target is not None else locked.on_hand + int(delta or 0)
    if new_on_hand < 0:
        raise NegativeStock(_("Stock on hand is %(on_hand)s; it cannot go below zero.") % {"on_hand": locked.on_hand}, field="on_hand")
    if new_on_hand < locked.reserved:
        raise BelowReserved(
            _("%(reserved)s units are reserved by open purchase orders; stock on hand cannot go below %(reserved)s.")
            % {"reserved": locked.reserved},
            field="on_hand",
        )
    change = new_on_hand - locked.on_hand
    locked.on_hand = new_on_hand
    locked.save(update_fields=["on_hand", "updated_at"])
    adjustment = StockAdjustment.objects.create(
        sku=locked, supplier_id=locked.supplier_id, actor=actor if getattr(actor, "pk", None) else None, delta=change,
        on_hand_after=new_on_hand, reason=reason[:200],
    )  # fmt: skip
    audit(actor=actor, action="sku.stock_adjusted", obj=locked, summary=f"{locked.code} {change:+d}: {reason}"[:500],
          data={"delta": change, "on_hand_after": new_on_hand})  # fmt: skip
    if change:
        publish_sku_changed(sku_ids=[locked.pk], changes={"on_hand"})
    sku.on_hand, sku.reserved, sku.updated_at = locked.on_hand, locked.reserved, locked.updated_at
    return adjustment


@transaction.atomic
def sku_adjust_stock(*, actor: Any, sku: SKU, reason: str, delta: int | None = None, new_on_hand: int | None = None) -> StockAdjustment:
    """Change stock on hand by ``delta`` or to ``new_on_hand``, recorded with who/when/why.

    Takes the SKU's row lock, so concurrent adjustments serialise; stock never goes
    below zero nor below what open purchase orders reserved (``below_reserved``, 409).
    """
    require_manager(actor, sku.supplier_id)
    if (delta is None) == (new_on_hand is None):
        raise ValidationFailed(_("Give either a change or a new quantity."), field="delta")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the stock changes."), field="reason")
    if delta == 0:
        raise ValidationFailed(_("The change must not be zero."), field="delta")
    return _change_stock(actor=actor, sku=sku, target=new_on_hand, delta=delta, reason=reason)


def sku_set_stock_many(
    *, actor: Any, supplier_id: int, items: Sequence[tuple[str, int]], reason: str = "", now: datetime | None = None
) -> list[SKU | DomainError]:
    """Set stock on hand of many SKUs by code (the warehouse API's bulk sync), each alone.

    One transaction, set-based whatever the batch size: one locking read of the SKUs (in pk
    order), one ``UPDATE … FROM unnest()``, one INSERT each for the stock adjustments and audit
    rows, one ``sku.changed`` batch. Returns, per item in order, the SKU (changed or not) or
    the error that refused that item alone (``not_found`` code unknown to this supplier,
    ``below_reserved``, ``validation_error`` for a code sent twice); the others still apply.
    """
    from django.db import connection

    from distribution.core.audit import audit_many

    now = now or timezone.now()
    reason = (reason.strip() or str(_("Stock set")))[:200]
    results: list[SKU | DomainError] = []
    with transaction.atomic():
        codes = sorted({code for code, _on_hand in items})
        locked = {
            sku.code: sku
            for sku in SKU.objects.select_for_update(of=("self",)).select_related("product")
            .filter(supplier_id=supplier_id, code__in=codes).order_by("pk")
        }  # fmt: skip
        seen: set[str] = set()
        changed: list[tuple[SKU, int]] = []
        for code, on_hand in items:
            sku = locked.get(code)
            if code in seen:
                results.append(ValidationFailed(_("This SKU code appears more than once in the batch."), field="code"))
                continue
            seen.add(code)
            if sku is None:
                results.append(DomainError(_("You have no SKU with the code “%(code)s”.") % {"code": code}, code="not_found", field="code"))
            elif on_hand < 0:
                results.append(NegativeStock(_("Stock cannot be negative."), field="on_hand"))
            elif on_hand < sku.reserved:
                results.append(
                    BelowReserved(
                        _("%(reserved)s units are reserved by open purchase orders; stock on hand cannot go below %(reserved)s.")
                        % {"reserved": sku.reserved},
                        field="on_hand",
                    )
                )
            else:
                if on_hand != sku.on_hand:
                    changed.append((sku, on_hand - sku.on_hand))
                    sku.on_hand = on_hand
                results.append(sku)
        if changed:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE suppliers_sku AS s SET on_hand = v.on_hand, updated_at = %s "
                    "FROM unnest(%s::bigint[], %s::integer[]) AS v(id, on_hand) WHERE s.id = v.id",
                    [now, [s.pk for s, _d in changed], [s.on_hand for s, _d in changed]],
                )
            for sku, _delta in changed:
                sku.updated_at = now
            actor_user = actor if getattr(actor, "pk", None) else None
            StockAdjustment.objects.bulk_create(
                [
                    StockAdjustment(sku=sku, actor=actor_user, delta=delta, on_hand_after=sku.on_hand, reason=reason)
                    for sku, delta in changed
                ]
            )
            audit_many(
                action="sku.stock_adjusted",
                object_type="suppliers.sku",
                object_ids=[sku.pk for sku, _d in changed],
                organisation_ids=[supplier_id] * len(changed),
                summaries=[f"{sku.code} {delta:+d}: {reason}"[:500] for sku, delta in changed],
                actor=actor,
            )
            publish_sku_changed(sku_ids=[sku.pk for sku, _d in changed], changes={"on_hand"})
    return results


def sku_return_to_stock(*, actor: Any, supplier_id: int, quantities: dict[int, int], reason: str, now: datetime | None = None) -> None:
    """Goods that came back (an after-sales return) go back on hand: ``quantities`` is SKU id →
    units. The stock change of ``sku_set_stock_many`` (stock adjustments, audit rows,
    ``sku.changed``; one ``skus.changed`` for several), in the caller's transaction; SKUs of another supplier are ignored."""
    wanted = {pk: q for pk, q in quantities.items() if q > 0}
    if not wanted:
        return
    with transaction.atomic():
        rows = SKU.objects.select_for_update(of=("self",)).filter(supplier_id=supplier_id, pk__in=sorted(wanted)).order_by("pk")
        items = [(code, on_hand + wanted[pk]) for pk, code, on_hand in rows.values_list("pk", "code", "on_hand")]
        sku_set_stock_many(actor=actor, supplier_id=supplier_id, items=items, reason=reason, now=now)


@transaction.atomic
def sku_set_stock(*, actor: Any, sku: SKU, on_hand: int, reason: str = "") -> SKU:
    """Set stock on hand (the warehouse API): ``below_reserved`` (409) when under the reserved quantity.

    The caller has checked that the SKU belongs to the asking organisation (the API
    resolves it by code within the key's supplier); ``actor`` may be ``None``.
    """
    if on_hand < 0:
        raise ValidationFailed(_("Stock cannot be negative."), field="on_hand")
    _change_stock(actor=actor, sku=sku, target=on_hand, delta=None, reason=reason.strip() or str(_("Stock set")))
    return sku
