"""Who may read the suppliers' uploaded files (registered with ``distribution.core.media``).

Approved product images are public (shown to every reseller and in feeds); images waiting for
review, compliance documents (customs, inspection) and import files belong to the supplier and
platform staff; message attachments to the thread's two organisations and staff.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from distribution.core.media import Allowed, is_staff, member_organisation_id

from .models import ComplianceDocument, ImportJob, MessageAttachment, Product, ProductImage, ProductUpload


def _supplier_or_staff(request: HttpRequest, supplier_id: int) -> bool:
    return is_staff(request) or member_organisation_id(request) == supplier_id


def product_image(request: HttpRequest, name: str) -> Allowed | None:
    image = ProductImage.objects.select_related("product").filter(Q(image=name) | Q(thumbnail=name)).first()
    if image is None:
        return None
    if not image.approved and not _supplier_or_staff(request, image.product.supplier_id):
        return None
    file = image.thumbnail if image.thumbnail.name == name else image.image
    # checked by Pillow when uploaded (validate_product_image); thumbnails are ours
    return Allowed(file=file, inline_image=True, verified_image=True)


def product_upload(request: HttpRequest, name: str) -> Allowed | None:
    """An editor upload: its supplier and staff; everyone once it is in the description of a listed product."""
    upload = ProductUpload.objects.select_related("product").filter(image=name).first()
    if upload is None:
        return None
    public = upload.product is not None and upload.product.status == Product.Status.LISTED
    if not public and not _supplier_or_staff(request, upload.supplier_id):
        return None
    return Allowed(file=upload.image, inline_image=True, verified_image=True)  # decoded by Pillow when uploaded


def compliance_document(request: HttpRequest, name: str) -> Allowed | None:
    document = ComplianceDocument.objects.select_related("product").filter(file=name).first()
    if document is None or not _supplier_or_staff(request, document.product.supplier_id):
        return None
    return Allowed(file=document.file, download_name=f"{document.kind}-{document.product_id}.{name.rsplit('.', 1)[-1]}")


def import_file(request: HttpRequest, name: str) -> Allowed | None:
    job = ImportJob.objects.filter(file=name).first()
    if job is None or not _supplier_or_staff(request, job.supplier_id):
        return None
    return Allowed(file=job.file, download_name=job.original_name)


def attachment_allowed(request: HttpRequest, attachment: MessageAttachment) -> Allowed | None:
    thread = attachment.message.thread
    if not is_staff(request) and member_organisation_id(request) not in (thread.supplier_id, thread.reseller_id):
        return None
    return Allowed(file=attachment.file, download_name=attachment.original_name, inline_image=True)


def message_attachment(request: HttpRequest, name: str) -> Allowed | None:
    attachment = MessageAttachment.objects.select_related("message__thread").filter(file=name).first()
    return None if attachment is None else attachment_allowed(request, attachment)
