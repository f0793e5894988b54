"""Writes for messaging (站內信, R4): start a thread, post a message, mark a thread read.

Who may write to whom: a supplier to any reseller that applied to it or is/was its
partner; a reseller to any active supplier. Only the two organisations of a thread
may post to it or read it. An email copy of each message goes to the other side's
members after commit (Celery).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from distribution.core import outbox
from distribution.core.audit import audit
from distribution.core.errors import PermissionDenied, ValidationFailed
from distribution.core.uploads import extension, sniff

if TYPE_CHECKING:
    from resellers.models import Reseller

from ..models import Message, MessageAttachment, MessageThread, Partnership, PartnershipApplication, Product, Side, Supplier

# Outbox topic: the e-mail copy of a new message (suppliers/tasks/partnerships.py), registered in apps.py.
MESSAGE_COPY = "suppliers.message_copy"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
ALLOWED_ATTACHMENT_TYPES = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
}
# The declared type must match the bytes, decoded by Pillow (a renamed .exe or "PNG header + HTML" is refused).


def validate_attachment(upload: UploadedFile) -> str:
    """Return the attachment's content type, or raise ``ValidationFailed`` (images and PDF, ≤ 10 MB)."""
    name = upload.name or ""
    ext = extension(name)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            _("%(name)s is larger than 10 MB.") % {"name": name}, code="attachment_too_large", field="attachments"
        )
    content_type = next((ct for ct, exts in ALLOWED_ATTACHMENT_TYPES.items() if ext in exts), None)
    if content_type is None:
        raise ValidationFailed(
            _("%(name)s is not an image (JPEG, PNG, GIF, WebP) or a PDF.") % {"name": name},
            code="attachment_type",
            field="attachments",
        )
    try:
        actual = sniff(upload)
    except ValidationError as exc:
        raise ValidationFailed(f"{name}: {exc.messages[0]}", code="attachment_too_large", field="attachments") from None
    if actual != content_type:
        raise ValidationFailed(
            _("%(name)s does not contain what its name says.") % {"name": name}, code="attachment_type", field="attachments"
        )
    return content_type


def _member_of(actor, organisation: Organisation) -> Membership:
    membership = Membership.objects.filter(user_id=actor.pk, organisation_id=organisation.pk).first()
    if membership is None:
        raise PermissionDenied(_("You are not a member of this organisation."))
    return membership


def supplier_may_message(*, supplier: Supplier, reseller: Reseller) -> bool:
    """A supplier may write to resellers that applied to it or are or were its partners."""
    return (
        Partnership.objects.filter(supplier=supplier, reseller=reseller).exists()
        or PartnershipApplication.objects.filter(supplier=supplier, reseller=reseller).exists()
    )


def thread_start(
    *,
    actor,
    organisation: Organisation,
    supplier: Supplier,
    reseller: Reseller,
    subject: str,
    body: str,
    product: Product | None = None,
    po_number: str = "",
    attachments: list[UploadedFile] | None = None,
    now: datetime | None = None,
    check_contact: bool = True,
    email_copy: bool = True,
) -> MessageThread:
    """Open a thread between ``supplier`` and ``reseller`` with its first message, written by ``organisation``.

    ``check_contact=False`` and ``email_copy=False`` are for services that write a formal
    notice themselves (the termination notice sends its own e-mail).
    """
    now = now or timezone.now()
    _member_of(actor, organisation)
    if organisation.pk == supplier.pk:
        side = Side.SUPPLIER
        if check_contact and not supplier_may_message(supplier=supplier, reseller=reseller):
            raise PermissionDenied(_("You can write only to resellers that applied to you or are your partners."))
    elif organisation.pk == reseller.pk:
        side = Side.RESELLER
        if check_contact and supplier.status != Supplier.Status.ACTIVE:
            raise PermissionDenied(_("This supplier is not active on the platform."))
    else:
        raise PermissionDenied(_("You may not start this conversation."))
    if product is not None and product.supplier_id != supplier.pk:
        raise ValidationFailed(_("The product belongs to another supplier."), field="product")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed(_("Enter a subject."), field="subject")
    with transaction.atomic():
        thread = MessageThread.objects.create(
            supplier=supplier,
            reseller=reseller,
            subject=subject[:200],
            product=product,
            po_number=(po_number or "").strip()[:40],
            started_by=side,
            last_message_at=now,
        )
        _post(thread=thread, actor=actor, side=side, body=body, attachments=attachments or [], now=now, email_copy=email_copy)
        audit(actor=actor, action="thread.started", obj=thread, organisation=organisation, summary=thread.subject)
    return thread


def message_post(
    *,
    actor,
    organisation: Organisation,
    thread: MessageThread,
    body: str,
    attachments: list[UploadedFile] | None = None,
    now: datetime | None = None,
) -> Message:
    """Add a message to ``thread`` from ``organisation`` (one of its two sides)."""
    now = now or timezone.now()
    _member_of(actor, organisation)
    side = thread.side_of(organisation)
    if side is None:
        raise PermissionDenied(_("You may not write in this conversation."))
    with transaction.atomic():
        thread = MessageThread.objects.select_for_update().get(pk=thread.pk)
        return _post(thread=thread, actor=actor, side=side, body=body, attachments=attachments or [], now=now)


def _post(
    *, thread: MessageThread, actor, side: str, body: str, attachments: list[UploadedFile], now: datetime, email_copy: bool = True
) -> Message:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a message."), field="body")
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationFailed(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}, field="attachments")
    types = [validate_attachment(upload) for upload in attachments]
    message = Message.objects.create(
        thread=thread, supplier_id=thread.supplier_id, sender=actor, sender_side=side, body=body, created_at=now
    )
    for upload, content_type in zip(attachments, types, strict=True):
        MessageAttachment.objects.create(
            message=message,
            supplier_id=thread.supplier_id,
            file=upload,
            original_name=(upload.name or "file")[:200],
            content_type=content_type,
            size=upload.size,
        )
    # The writer has read everything up to its own message.
    read_field = "supplier_read_at" if side == Side.SUPPLIER else "reseller_read_at"
    MessageThread.objects.filter(pk=thread.pk).update(last_message_at=now, **{read_field: now})
    thread.last_message_at = now
    setattr(thread, read_field, now)
    if email_copy:
        outbox.enqueue(MESSAGE_COPY, {"message_id": message.pk})  # e-mailed by the worker after commit
    return message


def thread_mark_read(*, organisation: Organisation, thread: MessageThread, now: datetime | None = None) -> None:
    """Mark ``thread`` read for ``organisation``'s side. Idempotent; no lock needed (a later time wins)."""
    now = now or timezone.now()
    side = thread.side_of(organisation)
    if side is None:
        raise PermissionDenied(_("You may not read this conversation."))
    field = "supplier_read_at" if side == Side.SUPPLIER else "reseller_read_at"
    MessageThread.objects.filter(pk=thread.pk).update(**{field: now})
    setattr(thread, field, now)
