"""E-mails of partnerships and messaging, sent by the outbox worker (``email`` queue). Ids in, mail out.

They leave the transaction through the outbox (``distribution.core.outbox``): a message copy is an
outbox row (``suppliers.message_copy``), the partnership e-mails subscribe after commit to the
``partnership.terminating`` / ``.terminated`` domain events. Registered in ``SuppliersConfig.ready()``.
A broker outage delays them; nothing raises into the request and nothing is lost.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from distribution.core.email import send_email
from suppliers.models import Message, Partnership, Side
from suppliers.selectors.partnerships import supplier_recipient_ids


def _emails_of(organisation_id: int) -> list[str]:
    return list(
        get_user_model()
        .objects.filter(membership__organisation_id=organisation_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def send_message_copy(message_id: int) -> int:
    """E-mail a copy of a new message to the members of the other organisation of its thread."""
    message = Message.objects.select_related("thread__supplier", "thread__reseller").filter(pk=message_id).first()
    if message is None:
        return 0
    thread = message.thread
    if message.sender_side == Side.SUPPLIER:
        recipients, sender_name = _emails_of(thread.reseller_id), thread.supplier.company_name
    else:
        sender_name = thread.reseller.name
        users = supplier_recipient_ids(thread.supplier_id, thread.reseller_id)  # a key account's: its manager and the owner(s)
        recipients = list(get_user_model().objects.filter(pk__in=users).exclude(email="").values_list("email", flat=True))
    if not recipients:
        return 0
    url = settings.SITE_URL + reverse("partners:thread_detail", args=[thread.pk])
    subject = _("New message from %(sender)s: %(subject)s") % {"sender": sender_name, "subject": thread.subject}
    body = f"{message.body}\n\n{_('Reply on the platform:')} {url}\n"
    return send_email(to=recipients, subject=subject, body=body)


def send_partnership_email(partnership_id: int, event: str) -> int:
    """``event`` is ``notice`` (to the reseller, R5) or ``ended`` (to both sides)."""
    partnership = Partnership.objects.select_related("supplier", "reseller").filter(pk=partnership_id).first()
    if partnership is None:
        return 0
    supplier, reseller = partnership.supplier, partnership.reseller
    if event == "notice":
        if partnership.ends_at is None:
            return 0
        ends = formats.date_format(timezone.localtime(partnership.ends_at), "DATETIME_FORMAT")
        recipients = _emails_of(reseller.pk)
        subject = _("Notice of termination from %(supplier)s") % {"supplier": supplier.company_name}
        body = _(
            "%(supplier)s gives notice to end its partnership with %(reseller)s.\n"
            "The partnership ends on %(ends_at)s.\n\nReason: %(reason)s\n"
        ) % {"supplier": supplier.company_name, "reseller": reseller.name, "ends_at": ends, "reason": partnership.termination_reason}
    elif event == "ended":
        recipients = _emails_of(reseller.pk) + _emails_of(supplier.pk)
        subject = _("Partnership ended: %(supplier)s and %(reseller)s") % {"supplier": supplier.company_name, "reseller": reseller.name}
        body = _("The partnership between %(supplier)s and %(reseller)s has ended.\n\nReason: %(reason)s\n") % {
            "supplier": supplier.company_name,
            "reseller": reseller.name,
            "reason": partnership.termination_reason,
        }
    else:
        raise ValueError(f"unknown partnership e-mail event {event!r}")
    return send_email(to=recipients, subject=subject, body=body)


# --- outbox and event handlers (run by the worker after commit) ---------------------------------


def on_message_copy(payload: dict[str, Any]) -> None:
    send_message_copy(payload["message_id"])


def on_partnership_terminating(event: Any) -> None:
    send_partnership_email(event.data["partnership_id"], "notice")


def on_partnership_terminated(event: Any) -> None:
    send_partnership_email(event.data["partnership_id"], "ended")
