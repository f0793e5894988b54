"""Payment providers for top-ups. Only the offline bank transfer ships; an online gateway plugs in here.

A provider is told when a top-up is recorded (``start``) and asked before staff confirm it
(``verify``); it never posts to the ledger itself — ``settlement.services`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from distribution.core.errors import ValidationFailed

if TYPE_CHECKING:
    from .models import TopUpRequest


class PaymentProvider:
    """Base class. ``code`` is stored on each top-up."""

    code: str = ""
    label = ""
    requires_staff_confirmation = True

    def instructions(self) -> str:
        """What the payer must do, shown on the top-up form."""
        return ""

    def start(self, *, top_up: TopUpRequest) -> None:
        """Called inside the transaction that records the top-up."""

    def verify(self, *, top_up: TopUpRequest) -> None:
        """Called before the top-up is credited; raise a DomainError to refuse."""


class OfflineTransferProvider(PaymentProvider):
    """The reseller transfers money to the platform's bank account and uploads the receipt; staff match it."""

    code = "offline_transfer"
    label = _("Offline bank transfer")

    def instructions(self) -> str:
        """In the active language. ``PLATFORM_BANK_ACCOUNT`` values may be one string or a dict per language code."""
        account = getattr(settings, "PLATFORM_BANK_ACCOUNT", None) or DEFAULT_BANK_ACCOUNT
        return str(
            _("Transfer the amount to %(name)s, %(bank)s, account %(number)s, then record the transfer here with its bank reference.")
            % {key: _in_language(value) for key, value in account.items()}
        )


# The platform's account as each language writes the names (the number is the same everywhere).
DEFAULT_BANK_ACCOUNT = {
    "name": _("Distribution Platform Co., Ltd."),
    "bank": _("Industrial and Commercial Bank of China, Shanghai Branch"),
    "number": "6222 0000 0000 0000 000",
}


def _in_language(value) -> str:
    if isinstance(value, dict):
        language = get_language() or settings.LANGUAGE_CODE
        return str(value.get(language) or value.get(settings.LANGUAGE_CODE) or next(iter(value.values()), ""))
    return str(value)


_PROVIDERS: dict[str, PaymentProvider] = {OfflineTransferProvider.code: OfflineTransferProvider()}


def register_provider(provider: PaymentProvider) -> None:
    _PROVIDERS[provider.code] = provider


def get_provider(code: str) -> PaymentProvider:
    try:
        return _PROVIDERS[code]
    except KeyError:
        raise ValidationFailed(_("Unknown payment method."), field="provider")
