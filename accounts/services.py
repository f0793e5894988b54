"""Writes for accounts: agreement acceptance, notifications."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import AgreementAcceptance, AgreementVersion, Notification, Organisation


def agreement_accept(*, user, version: AgreementVersion, ip_address: str | None, user_agent: str = "", now=None) -> AgreementAcceptance:
    """Record that ``user`` accepted ``version``. Idempotent per (user, version)."""
    acceptance, _created = AgreementAcceptance.objects.get_or_create(
        user=user,
        version=version,
        defaults={"ip_address": ip_address, "user_agent": user_agent[:300], "accepted_at": now or timezone.now()},
    )
    return acceptance


def notify_users(*, users: Iterable, kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one notification per user (inside the caller's transaction)."""
    now = timezone.now()
    return Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=str(title)[:200], body=str(body), url=url, created_at=now) for u in users]
    )


def notify_organisation(
    *, organisation: Organisation, kind: str, title: str, body: str = "", url: str = "", managers_only: bool = False
) -> list[Notification]:
    """Notify every member (or only owners/managers) of ``organisation``."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(membership__organisation=organisation, is_active=True)
    if managers_only:
        users = users.filter(membership__role__in=["owner", "manager"])
    return notify_users(users=list(users), kind=kind, title=title, body=body, url=url)


__all__ = ["agreement_accept", "notify_organisation", "notify_users", "transaction"]
