"""Messaging (站內信, R4): threads between one supplier and one reseller, messages, attachments.

Read state is per organisation: each side has a ``*_read_at`` on the thread; a thread is
unread for a side when its ``last_message_at`` is later than that side's read time.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from distribution.core.media import RandomName


class Side(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    RESELLER = "reseller", _("Reseller")


class MessageThread(models.Model):
    supplier = models.ForeignKey("suppliers.Supplier", on_delete=models.CASCADE, related_name="message_threads", verbose_name=_("supplier"))
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="message_threads", verbose_name=_("reseller"))
    subject = models.CharField(_("subject"), max_length=200)
    product = models.ForeignKey(
        "suppliers.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    po_number = models.CharField(_("purchase order number"), max_length=40, blank=True)
    started_by = models.CharField(max_length=16, choices=Side.choices, verbose_name=_("started by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_message_at = models.DateTimeField(db_index=True, verbose_name=_("last message at"))
    supplier_read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("supplier read at"))
    reseller_read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reseller read at"))

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("message thread")
        verbose_name_plural = _("message threads")
        indexes = [
            models.Index(fields=["supplier", "last_message_at"]),
            models.Index(fields=["reseller", "last_message_at"]),
        ]

    def __str__(self) -> str:
        return self.subject

    def side_of(self, organisation) -> str | None:
        if organisation is None:
            return None
        if organisation.pk == self.supplier_id:
            return Side.SUPPLIER
        if organisation.pk == self.reseller_id:
            return Side.RESELLER
        return None

    def is_unread_for(self, side: str) -> bool:
        read_at = self.supplier_read_at if side == Side.SUPPLIER else self.reseller_read_at
        return read_at is None or self.last_message_at > read_at


def _attachment_path(instance: MessageAttachment, filename: str) -> str:
    """A random name: attachments are private to the thread's two organisations (served by a checked view)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"messages/{instance.message.thread_id}/{uuid.uuid4().hex}.{ext[:8]}"


def _tenant_supplier() -> models.ForeignKey:
    """The thread's supplier (the tenant, docs/scaling.md); left unset, the database fills it from the parent row."""
    return models.ForeignKey("suppliers.Supplier", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_default=None)


class Message(models.Model):
    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages", verbose_name=_("thread"))
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("sender"))
    sender_side = models.CharField(max_length=16, choices=Side.choices, verbose_name=_("sender side"))
    supplier = _tenant_supplier()
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(db_index=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["thread", "sender_side", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message"))
    supplier = _tenant_supplier()
    file = models.FileField(_("file"), upload_to=RandomName("messages"))
    original_name = models.CharField(max_length=200, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size = models.PositiveIntegerField(verbose_name=_("size"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
