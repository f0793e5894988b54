"""Consumer addresses (R12): validation of the address fields and the reseller's address book."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from distribution.core.audit import audit
from distribution.core.divisions import find_division, postal_code_for, validate_address_divisions
from distribution.core.errors import ValidationFailed
from distribution.core.validators import normalise_mainland_mobile
from resellers.models import Reseller

from .models import SavedAddress

ADDRESS_KEYS = {
    "recipient": "recipient",
    "mobile": "mobile",
    "province": "province_code",
    "province_code": "province_code",
    "city": "city_code",
    "city_code": "city_code",
    "district": "district_code",
    "district_code": "district_code",
    "street": "street",
    "postal_code": "postal_code",
}


def address_clean(address: dict[str, Any]) -> dict[str, str]:
    """Validate a consumer address (R12); return model fields. Raises ``ValidationFailed`` naming the field.

    Accepts the API's keys (``province``, ``city``, ``district``) or the model's (``*_code``).
    """
    data = {"recipient": "", "mobile": "", "province_code": "", "city_code": "", "district_code": "", "street": "", "postal_code": ""}
    for key, value in (address or {}).items():
        if key in ADDRESS_KEYS:
            data[ADDRESS_KEYS[key]] = str(value or "").strip()
    api_name = {"province_code": "province", "city_code": "city", "district_code": "district"}
    for name in ("recipient", "mobile", "province_code", "city_code", "street", "postal_code"):
        if not data[name]:
            raise ValidationFailed(_("This field is required."), field=api_name.get(name, name))
    if len(data["recipient"]) > 50:
        raise ValidationFailed(_("The recipient's name is too long (50 characters at most)."), field="recipient")
    if len(data["street"]) > 200:
        raise ValidationFailed(_("The street address is too long (200 characters at most)."), field="street")
    try:
        data["mobile"] = normalise_mainland_mobile(data["mobile"])
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], field="mobile") from exc
    try:
        validate_address_divisions(data["province_code"], data["city_code"], data["district_code"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], field=field) from exc
    if not (len(data["postal_code"]) == 6 and data["postal_code"].isdigit()):
        raise ValidationFailed(_("A postal code has 6 digits."), field="postal_code")
    return data


def address_normalise(address: dict[str, Any]) -> dict[str, Any]:
    """Division names (either script, with or without 省/市/區) become GB/T 2260 codes; a missing postal
    code is filled from the district. Codes pass through; an unknown name is refused naming the field.
    Call before ``address_clean``, which validates the result."""
    data = dict(address or {})
    parent = ""
    for key in ("province", "city", "district"):
        value = str(data.get(key) or "").strip()
        if not value:
            break
        if not (value.isdigit() and len(value) == 6):
            code = find_division(value, within=parent)
            if code is None:
                messages = {
                    "province": _("No province is called %(name)s."),
                    "city": _("No city called %(name)s lies in the chosen province."),
                    "district": _("No district called %(name)s lies in the chosen city."),
                }
                raise ValidationFailed(messages[key] % {"name": value}, field=key)
            data[key] = value = code
        parent = value
    if not str(data.get("postal_code") or "").strip():
        data["postal_code"] = postal_code_for(str(data.get("district") or data.get("city") or ""))
    return data


def saved_address_create(*, actor, reseller: Reseller, address: dict[str, Any], label: str = "") -> SavedAddress:
    data = address_clean(address)
    with transaction.atomic():
        saved = SavedAddress.objects.create(reseller=reseller, label=label[:50], **data)
        audit(actor=actor, action="saved_address.create", obj=saved, organisation=reseller.organisation)
    return saved


def saved_address_delete(*, actor, reseller: Reseller, saved_address_id: int) -> None:
    with transaction.atomic():
        deleted, _rows = SavedAddress.objects.filter(reseller=reseller, pk=saved_address_id).delete()
        if deleted:
            audit(actor=actor, action="saved_address.delete", organisation=reseller.organisation, data={"id": saved_address_id})
