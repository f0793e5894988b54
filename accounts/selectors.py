"""Reads about accounts that views, middleware and context processors share."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from .models import AgreementAcceptance, AgreementVersion, Invitation, Membership, Notification, Organisation, Role


def current_agreement(now=None) -> AgreementVersion | None:
    """The newest published version of 《分銷平台用戶協定》 (None before any is published)."""
    now = now or timezone.now()
    return AgreementVersion.objects.filter(published_at__lte=now).order_by("-published_at", "-id").first()


def user_must_accept_agreement(user) -> bool:
    current = current_agreement()
    if current is None:
        return False
    return not AgreementAcceptance.objects.filter(user=user, version=current).exists()


def organisation_must_accept_agreement(organisation: Organisation, now=None) -> bool:
    """True while no owner of ``organisation`` has accepted the current agreement version (R1; API keys stop)."""
    current = current_agreement(now)
    if current is None:
        return False
    owners = Membership.objects.filter(organisation=organisation, role=Role.OWNER).values("user_id")
    return not AgreementAcceptance.objects.filter(version=current, user_id__in=owners).exists()


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("created_at", "id")


def organisation_open_invitations(organisation: Organisation, now=None) -> QuerySet[Invitation]:
    now = now or timezone.now()
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).select_related("invited_by")


def user_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_notification_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
