"""The operator page for staff (``/admin/operations/``, linked from the admin index).

It shows each timer's backlog, last run, duration and failures, quarantined rows (sweep
failures and failed outbox rows) with a retry button, the webhook backlog per endpoint and
the outbox per queue, Celery queue lengths, and the last ledger reconciliation with a "run
now" button. Every action is recorded in the audit log with the staff member who did it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from distribution.core import outbox, sweeps
from distribution.core.audit import audit
from distribution.core.models import AuditEvent, OutboxMessage

from . import backlog

RECONCILE_ACTION = "ops.reconcile"


def last_reconcile() -> AuditEvent | None:
    return AuditEvent.objects.filter(action=RECONCILE_ACTION).select_related("actor").first()


def operations(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        **admin.site.each_context(request),
        "title": _("Operations"),
        "now": now,
        "timers": backlog.timers(now=now),
        "quarantined": backlog.quarantined_sweep_rows(),
        "failed_outbox": backlog.failed_outbox_rows(),
        "outbox_queues": backlog.outbox_by_queue(),
        "webhook_endpoints": backlog.webhooks_by_endpoint(),
        "webhook_totals": backlog.webhook_totals(),
        "celery_queues": backlog.celery_queue_lengths(),
        "reconcile": last_reconcile(),
        "sweep_retry_available": hasattr(sweeps, "retry_failure"),
    }
    return TemplateResponse(request, "ops/operations.html", context)


def _back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("ops:operations"))


@require_POST
def retry_outbox(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    with transaction.atomic():
        count = outbox.retry(message_ids=[message.pk])
        audit(actor=request.user, action="ops.outbox_retry", obj=message, summary=f"{message.topic} #{message.pk} ({message.queue})")
    if count:
        messages.success(request, _("Outbox message #%(id)s is queued again.") % {"id": message.pk})
    else:
        messages.warning(request, _("Outbox message #%(id)s was not quarantined; nothing to retry.") % {"id": message.pk})
    return _back()


@require_POST
def retry_sweep_failure(request: HttpRequest, pk: int) -> HttpResponse:
    from django.apps import apps

    model = apps.get_model("core", "SweepFailure")
    failure = get_object_or_404(model, pk=pk)
    label = f"{failure.sweep} #{failure.object_id}"
    succeeded = sweeps.retry_failure(failure, now=timezone.now())
    audit(
        actor=request.user,
        action="ops.sweep_retry",
        obj=failure if not succeeded else None,
        summary=f"{label}: {'done' if succeeded else 'failed again'}",
        data={"sweep": failure.sweep, "object_id": failure.object_id, "succeeded": succeeded},
    )
    if succeeded:
        messages.success(request, _("%(row)s succeeded.") % {"row": label})
    else:
        messages.error(request, _("%(row)s failed again; see its last error.") % {"row": label})
    return _back()


@require_POST
def run_reconcile(request: HttpRequest) -> HttpResponse:
    from settlement.reconcile import reconcile

    report = reconcile()
    audit(
        actor=request.user,
        action=RECONCILE_ACTION,
        summary=_("The ledger reconciles.") if report.ok else _("%(n)s problem(s) found.") % {"n": len(report.problems)},
        data={"ok": report.ok, "problems": report.problems[:50], "checked": {k: str(v) for k, v in report.checked.items()}},
    )
    if report.ok:
        messages.success(request, _("The ledger reconciles."))
    else:
        messages.error(request, _("%(n)s problem(s) found.") % {"n": len(report.problems)})
    return _back()


def staff_view(view):
    """Admin login and staff status required (as for every admin page)."""
    return admin.site.admin_view(view)


operations_view = staff_view(operations)
retry_outbox_view = staff_view(retry_outbox)
retry_sweep_failure_view = staff_view(retry_sweep_failure)
run_reconcile_view = staff_view(run_reconcile)
