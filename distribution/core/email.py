"""The one way the platform sends email: through the outbox.

Every email (invitations, supplier review results, purchase-order notices, partnership
notices, message copies) goes through :func:`send_email`. Called inside a transaction, it
writes an outbox row (topic ``core.email``, queue ``email``) that commits or rolls back with
the change; outside one, the row is written at once. The worker sends it after commit
(:func:`deliver_email`), so a slow or dead mail server never slows or breaks the action that
caused the mail: a refused delivery raises in the worker and the outbox retries it with
back-off, then quarantines it for an operator (admin → Outbox messages → Retry). Delivery
policy lives here: the sender is ``DEFAULT_FROM_EMAIL`` and recipients are de-duplicated.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail

from . import outbox

logger = logging.getLogger(__name__)

TOPIC = "core.email"


def send_email(*, to: Iterable[str], subject: str, body: str, html: str = "") -> int:
    """Queue one plain-text email to ``to`` (sent by the worker after commit), with ``html`` as its
    HTML alternative when given; returns how many recipients it is addressed to (0: nothing queued)."""
    recipients = list(dict.fromkeys(address for address in to if address))
    if not recipients:
        return 0
    payload = {"to": recipients, "subject": str(subject), "body": str(body)}
    if html:
        payload["html"] = str(html)
    outbox.enqueue(TOPIC, payload)
    return len(recipients)


def deliver_email(payload: dict[str, Any]) -> None:
    """Outbox handler: hand the email to the mail server; a failure raises so the outbox retries."""
    send_mail(payload["subject"], payload["body"], settings.DEFAULT_FROM_EMAIL, payload["to"], html_message=payload.get("html"))
    logger.info("email %r sent to %d recipient(s)", payload["subject"], len(payload["to"]))
