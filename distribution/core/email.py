"""The one way the platform sends email.

Every email (invitations, supplier review results, purchase-order notices, partnership
notices, message copies) goes through :func:`send_email`, so delivery policy lives in one
place: the sender is ``DEFAULT_FROM_EMAIL``, recipients are de-duplicated, and a failing
mail server is logged rather than breaking the action that already committed. Callers
schedule it after commit (``transaction.on_commit``) or call it from a Celery task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail

logger = logging.getLogger(__name__)


def send_email(*, to: Iterable[str], subject: str, body: str) -> int:
    """Send one plain-text email to ``to``; returns how many recipients it was sent to (0 on failure)."""
    recipients = list(dict.fromkeys(address for address in to if address))
    if not recipients:
        return 0
    try:
        send_mail(str(subject), str(body), settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # the action already committed; a dead mail server must not turn it into a 500
        logger.exception("email %r to %d recipient(s) failed", str(subject), len(recipients))
        return 0
    return len(recipients)
