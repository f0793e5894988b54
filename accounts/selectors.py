"""Reads about accounts that views and middleware share."""

from __future__ import annotations

from django.utils import timezone

from .models import AgreementAcceptance, AgreementVersion


def current_agreement(now=None) -> AgreementVersion | None:
    now = now or timezone.now()
    return AgreementVersion.objects.filter(published_at__lte=now).order_by("-published_at", "-id").first()


def user_must_accept_agreement(user) -> bool:
    current = current_agreement()
    if current is None:
        return False
    return not AgreementAcceptance.objects.filter(user=user, version=current).exists()
