"""The audit log: who did what, when, to which object. Append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("organisation")
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True, verbose_name=_("object type"))
    object_id = models.CharField(max_length=64, blank=True, verbose_name=_("object id"))
    summary = models.CharField(max_length=500, blank=True, verbose_name=_("summary"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class FormSubmission(models.Model):
    """A one-time form token that was used: the first POST of a form that moves money or stock.

    Unique per user and token, inserted in the same transaction as the form's work, so a double click
    or a resubmit waits on the unique index for the first to commit and is then sent to its result
    (``distribution/core/once.py``). Kept 13 hours (tokens are valid for 12).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    token = models.UUIDField(verbose_name=_("token"))
    path = models.CharField(max_length=300, verbose_name=_("path"))
    result_url = models.CharField(max_length=500, blank=True, verbose_name=_("result url"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="form_submission_token_unique_per_user")]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return f"{self.path} {self.token}"


class OutboxMessage(models.Model):
    """One piece of work that leaves a transaction (see ``distribution.core.outbox``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PROCESSING = "processing", _("processing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed (quarantined)")

    topic = models.CharField(_("topic"), max_length=200)
    queue = models.CharField(_("queue"), max_length=40, default="default")
    payload = models.JSONField(_("payload"), default=dict)
    coalesce_key = models.CharField(max_length=300, null=True, blank=True, verbose_name=_("coalesce key"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    available_at = models.DateTimeField(_("available at"))
    locked_until = models.DateTimeField(null=True, blank=True, verbose_name=_("locked until"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["queue", "available_at"], name="outbox_due", condition=models.Q(status="pending")),
            models.Index(fields=["locked_until"], name="outbox_leased", condition=models.Q(status="processing")),
            models.Index(fields=["processed_at"], name="outbox_done", condition=models.Q(status="done")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["coalesce_key"], condition=models.Q(status="pending"), name="outbox_one_pending_per_key"),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk} ({self.status})"


class SweepFailure(models.Model):
    """A row a sweep could not act on: retried with back-off, quarantined after ``SWEEP_QUARANTINE_AFTER`` failures.

    Written by ``distribution.core.sweeps`` in its own transaction (the failing row's work was
    rolled back). A row that later succeeds loses its record. Staff see quarantined rows in admin
    and retry them there.
    """

    sweep = models.CharField(_("sweep"), max_length=60)
    object_id = models.BigIntegerField(_("object id"))
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    first_failed_at = models.DateTimeField(_("first failed at"))
    last_failed_at = models.DateTimeField(_("last failed at"))
    next_retry_at = models.DateTimeField(_("next retry at"))
    quarantined = models.BooleanField(_("quarantined"), default=False, db_index=True)

    class Meta:
        ordering = ["-last_failed_at", "-id"]
        verbose_name = _("sweep failure")
        verbose_name_plural = _("sweep failures")
        constraints = [models.UniqueConstraint(fields=["sweep", "object_id"], name="core_sweep_failure_once_per_row")]

    def __str__(self) -> str:
        return f"{self.sweep} #{self.object_id} × {self.failures}"


class SweepRun(models.Model):
    """One run of one sweep (beat or ``sweep_deadlines``): when, how many rows acted on / failed, what is left."""

    sweep = models.CharField(_("sweep"), max_length=60, db_index=True)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    acted = models.PositiveIntegerField(_("acted on"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    backlog_after = models.PositiveIntegerField(_("backlog after"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["sweep", "-started_at"], name="core_sweeprun_latest")]  # each sweep's last run
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")

    def __str__(self) -> str:
        return f"{self.sweep} {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (``beat``: the beat-scheduled heartbeat task)."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("last beat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"
