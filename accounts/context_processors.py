"""Template context: the asking user's membership/organisation and unread notification count."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors import unread_notification_count


def organisation(request) -> dict:
    user = getattr(request, "user", None)
    ctx: dict = {"membership": None, "organisation": None, "unread_notifications": 0}
    if user is not None and user.is_authenticated:
        ctx["unread_notifications"] = SimpleLazyObject(lambda: unread_notification_count(user))
    membership = getattr(request, "membership", None)
    if membership:
        ctx["membership"] = membership
        ctx["organisation"] = membership.organisation
    return ctx
