"""Parse a consumer address pasted in one line, or the labelled block shops copy, into fields (R12).

``parse_address`` takes either form: the block Taobao/Pinduoduo/JD show for copying
(``收货人: 张三 / 手机号码: 138… / 所在地区: 浙江省 杭州市 西湖区 / 详细地址: 文三路100号``,
labels in either script, one per line or in one line) or one line as below. A missing
postal code is filled from the district (``postal_code_guessed``).

``"張三 13800138000 浙江省杭州市西湖區文三路100號 310000"`` →
recipient 張三, mobile, province/city/district codes from the GB/T 2260 data,
street 文三路100號, postal code. The divisions data is in simplified characters;
common traditional characters are mapped one-to-one before matching (so positions
in the original text stay valid and the street keeps the user's characters).
Short names (浙江, 杭州, 西湖) are matched as well as full ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from distribution.core.divisions import _names, name_of, postal_code_for, simplified

# One-to-one traditional → simplified for characters common in place names.
_T2S = str.maketrans(
    "區縣鄉鎮號樓東廣蘇灣門陽遼寧龍雲貴陝臺內慶齊爾濱鄭漢長鎮華張陳劉楊黃趙吳國園學興豐開發業場廈嶺蘭蕪崗寶撫錦營贛滬隴瀋烏魯紹溫麗濟衛嶽揚連無錫鹽馬邊亞觀廟灤張滄彌綏鶴雞遲臨淄聯壩達鄖隨荊黃鄂潛閔蕭潯廣頭淮濰膠銅陽歷陰徑澤莊資貢瀘萊樂",
    "区县乡镇号楼东广苏湾门阳辽宁龙云贵陕台内庆齐尔滨郑汉长镇华张陈刘杨黄赵吴国园学兴丰开发业场厦岭兰芜岗宝抚锦营赣沪陇沈乌鲁绍温丽济卫岳扬连无锡盐马边亚观庙滦张沧弥绥鹤鸡迟临淄联坝达郧随荆黄鄂潜闵萧浔广头淮潍胶铜阳历阴泾泽庄资贡泸莱乐",
)

_MOBILE = re.compile(r"(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?!\d)")
_POSTAL = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_LABELS = re.compile(r"(收[货貨]人|收件人|姓名|[电電][话話]|手机|手機|地址|[邮郵][编編]|[邮郵]政[编編][码碼])[:：]?")
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")
_DISTRICT_SUFFIXES = ("自治县", "区", "县", "市", "旗")


def to_simplified(text: str) -> str:
    """Simplified characters, position for position (so offsets found in the result hold in ``text``)."""
    converted = simplified(text)
    return converted if len(converted) == len(text) else text.translate(_T2S)


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def _aliases() -> dict[str, list[tuple[str, str]]]:
    """{"province"|"city"|"district": [(alias, code), …]}, longest alias first."""
    table: dict[str, list[tuple[str, str]]] = {"province": [], "city": [], "district": []}
    for code, name in _names().items():
        if code.endswith("0000"):
            kind, suffixes = "province", _PROVINCE_SUFFIXES
        elif code.endswith("00"):
            kind, suffixes = "city", _CITY_SUFFIXES
            name = name_of(code)
            if name.endswith(("省", "自治区")) or name in {"市辖区", "县"}:
                continue
        else:
            kind, suffixes = "district", _DISTRICT_SUFFIXES
        for alias in {name, _short(name, suffixes)}:
            table[kind].append((alias, code))
    for rows in table.values():
        rows.sort(key=lambda row: -len(row[0]))
    return table


@dataclass
class ParsedAddress:
    recipient: str = ""
    mobile: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    postal_code: str = ""
    missing: list[str] = field(default_factory=list)
    postal_code_guessed: bool = False

    def as_initial(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in ("recipient", "mobile", "province", "city", "district", "street", "postal_code")}


def _find(text: str, kind: str, start: int, prefix: str = "") -> tuple[str, int, int] | None:
    """The earliest (then longest) alias of ``kind`` at or after ``start`` whose code starts with ``prefix``."""
    best: tuple[str, int, int] | None = None
    for alias, code in _aliases()[kind]:
        if prefix and not code.startswith(prefix):
            continue
        pos = text.find(alias, start)
        if pos < 0:
            continue
        if best is None or pos < best[1] or (pos == best[1] and pos + len(alias) > best[2]):
            best = (code, pos, pos + len(alias))
    return best


def _municipality_city(province_code: str) -> str:
    code = province_code[:2] + "0100"
    return code if code in _names() else ""


def parse_address_line(text: str) -> ParsedAddress:
    """Split one pasted line into address fields; ``missing`` names what could not be found."""
    result = ParsedAddress()
    original = _take_mobile_and_postal_code(result, _LABELS.sub(" ", (text or "").strip()))
    start, end = _find_divisions(result, to_simplified(original))
    _split_recipient_and_street(result, original, start, end)
    result.recipient = result.recipient[:50]
    result.missing = [k for k, v in result.as_initial().items() if not v and k != "district"]
    if result.city and not result.district and any(True for _ in _district_codes(result.city)):
        result.missing.append("district")
    return result


def _take_mobile_and_postal_code(result: ParsedAddress, original: str) -> str:
    """Record the mobile number and postal code; blank them out of the text (positions kept)."""
    mobile = _MOBILE.search(original)
    if mobile:
        result.mobile = re.sub(r"[\s-]", "", mobile.group(1))
        original = original[: mobile.start()] + " " * (mobile.end() - mobile.start()) + original[mobile.end() :]
    postal = _POSTAL.search(original)
    if postal:
        result.postal_code = postal.group(1)
        original = original[: postal.start()] + " " * 6 + original[postal.end() :]
    return original


def _find_divisions(result: ParsedAddress, simple: str) -> tuple[int, int]:
    """Province, city and district from the (simplified) text; where the divisions start and end in it."""
    start = end = -1
    province = _find(simple, "province", 0)
    if province:
        result.province, start, end = province
    city = _find(simple, "city", max(end, 0), prefix=result.province[:2] if result.province else "")
    if city and (not province or city[1] - end <= 2):
        result.city = city[0]
        if start < 0:
            start = city[1]
        end = city[2]
        if not result.province:
            result.province = result.city[:2] + "0000"
    elif result.province:
        result.city = _municipality_city(result.province)
    if result.city:
        district = _find(simple, "district", max(end, 0), prefix=result.city[:4])
        if district and district[1] - end <= 2:
            result.district, _pos, end = district
    elif result.province is None or not result.province:
        district = _find(simple, "district", 0)
        if district:
            result.district, start, end = district
            result.city = result.district[:4] + "00"
            result.province = result.district[:2] + "0000"
    return start, end


def _split_recipient_and_street(result: ParsedAddress, original: str, start: int, end: int) -> None:
    """The name before the divisions (or a short Chinese name at the end) is the recipient; the rest is the street."""
    if start >= 0:
        before = original[:start]
        after = original[end:]
    else:
        before, after = "", original
    before = re.sub(r"[,，;；、]+", " ", before).split()
    after_tokens = re.sub(r"[,，;；]+", " ", after).split()
    if before:
        result.recipient = before[-1]
        street_tokens = after_tokens
    elif len(after_tokens) > 1 and re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", after_tokens[-1]):
        result.recipient = after_tokens[-1]
        street_tokens = after_tokens[:-1]
    elif start >= 0:
        street_tokens = after_tokens
    else:
        street_tokens = after_tokens[1:] if after_tokens else []
        result.recipient = after_tokens[0] if after_tokens else ""
    result.street = re.sub(r"[(（]\s*[)）]", "", "".join(street_tokens)).strip()
    result.recipient = result.recipient[:50]
    result.missing = [k for k, v in result.as_initial().items() if not v and k != "district"]
    if result.city and not result.district and any(True for _ in _district_codes(result.city)):
        result.missing.append("district")
    return result


def _district_codes(city_code: str):
    prefix = city_code[:4]
    return (c for c in _names() if c.startswith(prefix) and not c.endswith("00"))


_BLOCK_LABELS = {
    "recipient": r"收[货貨]人(?:姓名)?|收件人|联系人|聯繫人|聯系人|姓名",
    "mobile": r"手[机機](?:号码|號碼|号|號)?|联系电话|聯繫電話|联系方式|聯繫方式|[电電][话話]",
    "region": r"所在地[区區]|所在城市|地[区區]|省市[区區]",
    "street": r"[详詳][细細]地址|街道地址|收[货貨]地址|地址",
    "postal_code": r"[邮郵]政[编編][码碼]|[邮郵][编編]",
}
_BLOCK = re.compile(
    "(" + "|".join(f"(?P<{k}>{v})" for k, v in _BLOCK_LABELS.items()) + r")\s*[:：]\s*"
)


def _labelled_fields(text: str) -> dict[str, str] | None:
    """{field: value} of a labelled block, or None when ``text`` has fewer than two labels."""
    matches = list(_BLOCK.finditer(text))
    if len(matches) < 2:
        return None
    fields: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        kind = next(k for k in _BLOCK_LABELS if match.group(k))
        value = text[match.end() : end].strip(" \t\r\n,，;；")
        fields.setdefault(kind, value)
    return fields


def _fill_postal(result: ParsedAddress) -> ParsedAddress:
    if not result.postal_code and (result.district or result.city):
        result.postal_code = postal_code_for(result.district or result.city)
        result.postal_code_guessed = bool(result.postal_code)
    result.missing = [m for m in result.missing if not (m == "postal_code" and result.postal_code)]
    return result


def parse_address(text: str, *, recipient: str = "", mobile: str = "") -> ParsedAddress:
    """Parse a labelled block or one line; ``recipient``/``mobile`` come from separate columns when a file has them."""
    text = (text or "").strip()
    fields = _labelled_fields(text)
    if fields is None:
        line = " ".join(part for part in (recipient, mobile, text) if part)
        return _fill_postal(parse_address_line(line))
    region = fields.get("region", "")
    street = fields.get("street", "")
    result = parse_address_line(region or street)
    if region:
        # a detail address often repeats the region: keep only what follows it
        simple_street = to_simplified(street)
        for code in (result.district, result.city, result.province):
            name = name_of(code) if code else ""
            if name and name in simple_street:
                street = street[simple_street.index(name) + len(name) :]
                break
        result.street = street.strip()
    result.recipient = (fields.get("recipient") or recipient or result.recipient)[:50]
    mobile_text = fields.get("mobile") or mobile
    found = _MOBILE.search(mobile_text or "")
    result.mobile = re.sub(r"[\s-]", "", found.group(1)) if found else (mobile_text or result.mobile)
    postal = _POSTAL.search(fields.get("postal_code", ""))
    if postal:
        result.postal_code = postal.group(1)
    in_street = _POSTAL.search(result.street)
    if in_street:  # a postcode typed after the detail address: take it out of the street
        result.postal_code = result.postal_code or in_street.group(1)
        result.street = (result.street[: in_street.start()] + result.street[in_street.end() :]).strip(" ,，")
    result.missing = [k for k, v in result.as_initial().items() if not v and k != "district"]
    if result.city and not result.district and any(True for _ in _district_codes(result.city)):
        result.missing.append("district")
    return _fill_postal(result)
