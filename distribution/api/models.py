"""API keys, idempotency records, webhook endpoints, events and their deliveries."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def hash_key(raw: str) -> str:
    """The stored form of a key or secret: hex SHA-256 (keys are long random strings)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """A Bearer key of one organisation. Only its hash and a visible prefix are stored."""

    PREFIX_LENGTH = 12

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True)
    is_demo = models.BooleanField(default=False, help_text=_("A fixed key loaded by seed_demo."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first answer to a ``POST`` with an ``Idempotency-Key``, replayed for repeats.

    The row is inserted (unique per organisation and key) inside the same transaction
    as the purchase order, so two identical requests racing each other serialise on
    the unique index: the second waits, then sees the first's answer.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_unique_per_org")]


class WebhookEndpoint(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list, help_text=_("Event types delivered to this URL."))
    # The secret signs deliveries, so it must be kept (not only hashed); it is shown once.
    secret = models.CharField(max_length=64)
    # After a rotation the old secret still signs (a second v1=) until it expires: 24 h to deploy the new one.
    previous_secret = models.CharField(max_length=64, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in self.events

    def signing_secrets(self, now) -> list[str]:
        """The current secret, and the previous one while its 24 hours after a rotation last."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and now < self.previous_secret_expires_at:
            secrets.append(self.previous_secret)
        return secrets


class WebhookEvent(models.Model):
    """Something that happened to an organisation, recorded when its change commits."""

    id = models.UUIDField(primary_key=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(_("type"), max_length=60, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        # GET events/?after=: keyset on (created_at, id) within the organisation
        indexes = [models.Index(fields=["organisation", "created_at", "id"], name="webhook_event_catch_up")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    def payload(self) -> dict:
        """The webhook's body and the events API's item: times in the platform's zone (+08:00), like the API."""
        from django.utils import timezone

        return {"id": str(self.id), "type": self.type, "created_at": timezone.localtime(self.created_at).isoformat(), "data": self.data}


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempts, the last answer, the next attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")
        REFUSED = "refused", _("Refused (the address is not allowed; not retried)")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The tenant (distribution column, docs/scaling.md): the endpoint's organisation. Left unset,
    # the database fills it from the endpoint (api 0003); the row goes with its endpoint.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_default=None
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("answer code"), null=True, blank=True)
    last_response_excerpt = models.CharField(_("answer"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    retry_until = models.DateTimeField(help_text="Retries stop after this time (24 h after the event or the last resend).")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_event_endpoint")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due"),
            # the organisation's delivery log, newest first
            models.Index(fields=["organisation", "created_at"], name="webhook_delivery_tenant"),
        ]


class WebhookAttempt(models.Model):
    """One POST of a delivery: every attempt stays in the log (the delivery keeps the last)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("answer code"), null=True, blank=True)
    response_excerpt = models.CharField(_("answer"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")]
