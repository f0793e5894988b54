"""Listeners told after a PO transition commits (e.g. the API's webhooks).

``register_transition_listener(func)``; ``func(*, purchase_order_id, event, from_status, to_status)``
runs on commit, outside the transaction, with ``event`` one of ``purchase_order.placed``,
``.paid``, ``.shipped``, ``.closed``, ``.refunded``, ``.completed``, ``.disputed``,
``.partially_refunded``. A failing listener is logged and does not affect the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Listener = Callable[..., None]
_listeners: list[Listener] = []


def register_transition_listener(func: Listener) -> Listener:
    if func not in _listeners:
        _listeners.append(func)
    return func


def unregister_transition_listener(func: Listener) -> None:
    if func in _listeners:
        _listeners.remove(func)


def event_name(from_status: str, to_status: str) -> str:
    return "purchase_order.placed" if not from_status else f"purchase_order.{to_status}"


def emit(*, purchase_order_id: int, from_status: str, to_status: str) -> None:
    event = event_name(from_status, to_status)
    for listener in list(_listeners):
        try:
            listener(purchase_order_id=purchase_order_id, event=event, from_status=from_status, to_status=to_status)
        except Exception:  # a listener's bug must not break the others or the caller
            logger.exception("purchase order transition listener %r failed for %s", listener, event)
