"""The carriers suppliers ship with: codes, names and tracking-page URL templates.

A package stores the carrier's code when it is one of these, else ``other`` with the
supplier's free text as its name. ``tracking_url`` builds the link shown on PO pages and
returned by the API; an unknown carrier has no link.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

OTHER = "other"


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    url_template: str  # ``{number}`` is replaced by the URL-quoted tracking number


CARRIERS: tuple[Carrier, ...] = (
    Carrier("sf", "順豐速運", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}"),
    Carrier("zto", "中通快遞", "https://www.zto.com/?num={number}"),
    Carrier("yto", "圓通速遞", "https://www.yto.net.cn/?num={number}"),
    Carrier("sto", "申通快遞", "https://www.sto.cn/?num={number}"),
    Carrier("yunda", "韻達快遞", "https://www.yundaex.com/?num={number}"),
    Carrier("jd", "京東物流", "https://www.jdl.com/orderSearch/?waybillCodes={number}"),
    Carrier("ems", "EMS", "https://www.ems.com.cn/queryList?mailNum={number}"),
    Carrier("jt", "極兔速遞", "https://www.jtexpress.com.cn/?waybillNo={number}"),
    Carrier("deppon", "德邦快遞", "https://www.deppon.com/?trackingNo={number}"),
    Carrier("best", "百世快遞", "https://www.800best.com/?num={number}"),
    Carrier("cainiao", "菜鳥速遞", "https://global.cainiao.com/detail.htm?mailNoList={number}"),
)
BY_CODE: dict[str, Carrier] = {c.code: c for c in CARRIERS}
# names and common short forms (either script) → code, so free text like "顺丰" or "SF" finds its carrier
_ALIASES: dict[str, str] = {
    "順豐": "sf", "顺丰": "sf", "顺丰速运": "sf", "sf express": "sf",
    "中通": "zto", "圓通": "yto", "圆通": "yto", "圆通速递": "yto", "申通": "sto", "韻達": "yunda", "韵达": "yunda",
    "韵达快递": "yunda", "京東": "jd", "京东": "jd", "京东物流": "jd", "中國郵政": "ems", "中国邮政": "ems",
    "極兔": "jt", "极兔": "jt", "极兔速递": "jt", "j&t": "jt", "德邦": "deppon", "百世": "best", "菜鳥": "cainiao", "菜鸟": "cainiao",
    "中通快递": "zto", "申通快递": "sto", "德邦快递": "deppon", "百世快递": "best",
}  # fmt: skip


def carrier_code(text: str) -> str:
    """The code of the carrier ``text`` names (a code, a listed name or a short form), else ``other``."""
    value = (text or "").strip()
    lowered = value.lower()
    if lowered in BY_CODE:
        return lowered
    for carrier in CARRIERS:
        if value == carrier.name:
            return carrier.code
    return _ALIASES.get(lowered, _ALIASES.get(value, OTHER))


def carrier_name(code: str, text: str = "") -> str:
    carrier = BY_CODE.get(code)
    return carrier.name if carrier is not None else text


def tracking_url(carrier: str, tracking_number: str) -> str:
    """The carrier's tracking page for ``tracking_number`` ("" for carriers not listed)."""
    known = BY_CODE.get(carrier) or BY_CODE.get(carrier_code(carrier))
    if known is None or not tracking_number:
        return ""
    return known.url_template.format(number=quote(tracking_number.strip(), safe=""))


def carrier_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in CARRIERS] + [(OTHER, str(_("Other (type the name)")))]
