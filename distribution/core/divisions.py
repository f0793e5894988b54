"""China's administrative divisions (GB/T 2260 codes) from the data file we ship.

Province codes end in ``0000``; city (prefecture) codes in ``00``; district codes
otherwise. Municipalities (北京, 上海, 天津, 重庆) have a city-level entry named
``市辖区`` whose display name is the province's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).with_name("data") / "gbt2260.json"
_PLACEHOLDER_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str


@cache
def _names() -> dict[str, str]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def name_of(code: str) -> str:
    """Display name of a code (a municipality's placeholder city shows the province)."""
    names = _names()
    name = names.get(code, "")
    if name in _PLACEHOLDER_CITY_NAMES and code.endswith("00"):
        return names.get(code[:2] + "0000", name)
    return name


def is_province(code: str) -> bool:
    return code in _names() and code.endswith("0000")


def is_city(code: str) -> bool:
    return code in _names() and code.endswith("00") and not code.endswith("0000")


@cache
def provinces() -> list[Division]:
    return [Division(c, n) for c, n in _names().items() if c.endswith("0000")]


@cache
def cities(province_code: str) -> list[Division]:
    prefix = province_code[:2]
    return [
        Division(c, name_of(c))
        for c in _names()
        if c.startswith(prefix) and c.endswith("00") and not c.endswith("0000")
    ]


@cache
def districts(city_code: str) -> list[Division]:
    prefix = city_code[:4]
    return [Division(c, n) for c, n in _names().items() if c.startswith(prefix) and not c.endswith("00")]


def province_choices() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in provinces()]


def validate_location(province: str, city: str) -> None:
    """A province and a city within it."""
    if not is_province(province):
        raise ValidationError({"province": _("Choose a province from the list.")})
    if not is_city(city) or city[:2] != province[:2]:
        raise ValidationError({"city": _("Choose a city in the chosen province.")})


def validate_address_divisions(province: str, city: str, district: str) -> None:
    """Province, city in it and district in that city (a city without districts takes none)."""
    validate_location(province, city)
    options = districts(city)
    if options:
        if district not in {d.code for d in options}:
            raise ValidationError({"district": _("Choose a district in the chosen city.")})
    elif district:
        raise ValidationError({"district": _("The chosen city has no districts; leave the district empty.")})
