"""Validators shared by forms and services."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: unified social credit code (統一社會信用代碼), 18 characters.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a well-formed USCC with a correct check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("The unified social credit code has 18 characters."), code="length")
    if any(ch not in USCC_ALPHABET for ch in code):
        raise ValidationError(
            _("The unified social credit code may contain only digits and capital letters except I, O, Z, S, V."),
            code="alphabet",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("The unified social credit code's check character is wrong."), code="checksum")


def normalise_mainland_mobile(value: str) -> str:
    """Return the E.164-free 11-digit mainland mobile number, or raise ``ValidationError``."""
    raw = (value or "").strip().replace(" ", "").replace("-", "")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid mainland China mobile number."), code="mobile") from exc
    if (
        parsed.country_code != 86
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(_("Enter a valid mainland China mobile number."), code="mobile")
    return str(parsed.national_number)


def normalise_phone(value: str) -> str:
    """Any valid Chinese phone number (mobile or landline), formatted nationally."""
    raw = (value or "").strip()
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number."), code="phone") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("Enter a valid phone number."), code="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
