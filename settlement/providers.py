"""Payment providers for top-ups. Only the offline bank transfer ships; an online gateway plugs in here.

A provider is told when a top-up is recorded (``start``) and asked before staff confirm it
(``verify``); it never posts to the ledger itself — ``settlement.services`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
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
        account = getattr(settings, "PLATFORM_BANK_ACCOUNT", None) or {
            "name": "分銷平台有限公司",
            "bank": "中國工商銀行 上海分行",
            "number": "6222 0000 0000 0000 000",
        }
        return str(
            _("Transfer the amount to %(name)s, %(bank)s, account %(number)s, then record the transfer here with its bank reference.")
            % account
        )


_PROVIDERS: dict[str, PaymentProvider] = {OfflineTransferProvider.code: OfflineTransferProvider()}


def register_provider(provider: PaymentProvider) -> None:
    _PROVIDERS[provider.code] = provider


def get_provider(code: str) -> PaymentProvider:
    try:
        return _PROVIDERS[code]
    except KeyError:
        raise ValidationFailed(_("Unknown payment method."), field="provider")
