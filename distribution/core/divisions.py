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


# --- names in either script, postal codes ------------------------------------------------------

POSTAL_FILE = Path(__file__).with_name("data") / "postal_codes.json"
_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗",
)  # fmt: skip


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def simplified(text: str) -> str:
    """``text`` in simplified characters (GB/T 2260 names are simplified); traditional input is converted."""
    return _t2s().convert(text) if text else text


def traditional_name_of(code: str) -> str:
    """The display name in traditional characters (浙江省 → 浙江省, 广东省 → 廣東省)."""
    return _s2t().convert(name_of(code))


def _bare(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def _children() -> dict[str, list[tuple[str, str]]]:
    """parent code ('' for the country) → [(code, simplified name)], placeholders shown by their province's name."""
    table: dict[str, list[tuple[str, str]]] = {}
    for code in _names():
        if code.endswith("0000"):
            parent = ""
        elif code.endswith("00"):
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00"
            if parent not in _names():  # 省直辖县级行政区划 without a city entry
                parent = code[:2] + "0000"
        table.setdefault(parent, []).append((code, name_of(code)))
    return table


def find_division(name: str, *, within: str = "") -> str | None:
    """The code of the division called ``name`` (either script, with or without 省/市/區…) directly under ``within``.

    A GB/T 2260 code is accepted as it is when it lies under ``within``. For a municipality
    (北京, 上海, 天津, 重慶) the city level is its placeholder entry: "北京市" under 110000 → 110100.
    """
    text = simplified((name or "").strip()).replace(" ", "")
    if not text:
        return None
    options = _children().get(within, [])
    if text.isdigit():
        return text if any(code == text for code, _n in options) else None
    for code, option in options:
        if option == text or _names().get(code) == text:
            return code
    bare = _bare(text)
    for code, option in options:
        if _bare(option) == bare:
            return code
    return None


@cache
def _postal_codes() -> dict[str, str]:
    return json.loads(POSTAL_FILE.read_text(encoding="utf-8"))


def postal_code_for(code: str) -> str:
    """The postal code of a district (or, where the data has none, of its city, then its province); '' if unknown."""
    codes = _postal_codes()
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if candidate in codes:
            return codes[candidate]
    return ""
