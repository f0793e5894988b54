"""Catalog input rules shared by forms, the bulk import and the services.

Each check returns field errors (``{field: message}``) or raises ``ValidationError``,
so a form, an import row and a service report the same message for the same mistake.
"""

from __future__ import annotations

import html as html_lib
import re
from decimal import Decimal, InvalidOperation
from typing import IO

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from distribution.core.uploads import DOCUMENT_IMAGE_MAX_PIXELS, PRODUCT_IMAGE_MAX_PIXELS, file_size, image_format, is_pdf

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
DOCUMENT_IMAGE_FORMATS = {"JPEG", "PNG"}

# Basic formatting only: no script, no style, no event attributes, no javascript: links.
# The editor (Trix, static/vendor/README.md) writes p, br, strong, em, del, h3, blockquote, pre, ul/ol
# and figure/img/figcaption for an image; its data-trix-* attributes are dropped (it re-reads <img>).
DESCRIPTION_TAGS = {
    "p", "div", "br", "strong", "b", "em", "i", "u", "s", "del", "ul", "ol", "li", "h3", "h4", "h5",
    "blockquote", "pre", "a", "span", "table", "thead", "tbody", "tr", "th", "td", "hr",
    "figure", "figcaption", "img",
}  # fmt: skip
DESCRIPTION_ATTRIBUTES = {
    "a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"},
    "img": {"src", "alt", "width", "height"},
}  # fmt: skip
DESCRIPTION_URL_SCHEMES = {"http", "https", "mailto"}
_BLOCK_TAG = re.compile(r"<\s*(p|div|br|ul|ol|li|h[1-6]|blockquote|pre|table|figure|hr)\b", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")


def _paragraphs(text: str) -> str:
    """Plain text (typed without the editor, imported): blank lines part paragraphs, a new line is a break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "".join(
        "<p>" + "<br>".join(line.strip() for line in block.split("\n")) + "</p>" for block in _BLANK_LINES.split(text) if block.strip()
    )


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_BREAKS = re.compile(r"(?:<br>\s*){2,}")


def _split_paragraphs(match: re.Match) -> str:
    inner = _BREAKS.sub("</p><p>", match.group(1))
    return "<p>" + re.sub(r"(?:<br>\s*)+$", "", inner) + "</p>"


def sanitise_description(html: str) -> str:
    """Rich text a supplier typed, reduced to the safe formatting subset; paragraphs stay paragraphs.

    Plain text (no editor, the importer) is split at blank lines; the editor's blocks (``<div>`` with
    ``<br><br>`` for a blank line) become ``<p>`` paragraphs, which it reads back the same way."""
    html = html or ""
    if html.strip() and not _BLOCK_TAG.search(html):
        html = _paragraphs(html)
    cleaned = nh3.clean(
        html,
        tags=DESCRIPTION_TAGS,
        attributes=DESCRIPTION_ATTRIBUTES,
        url_schemes=DESCRIPTION_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    cleaned = cleaned.replace("<div>", "<p>").replace("</div>", "</p>")
    cleaned = _PARAGRAPH.sub(_split_paragraphs, cleaned).replace("<p></p>", "")
    return cleaned.strip()


def description_upload_names(html: str) -> list[str]:
    """Stored names of the editor uploads (``/media/uploads/…``) a description shows."""
    prefix = re.escape(settings.MEDIA_URL.rstrip("/") + "/")
    found = re.findall(r'<img[^>]*\ssrc="' + prefix + r'(uploads/[0-9a-f]{32}\.[a-z0-9]{1,8})"', html or "")
    return sorted({html_lib.unescape(name) for name in found})



def validate_product_image(file: IO) -> None:
    """JPEG, PNG or WebP, at most 5 MB, and really an image (checked by decoding, not by name)."""
    if file_size(file) > MAX_IMAGE_BYTES:
        raise ValidationError(_("An image may be at most 5 MB."), code="too_large")
    if image_format(file, max_pixels=PRODUCT_IMAGE_MAX_PIXELS) not in IMAGE_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="bad_type")


def validate_compliance_document(file: IO) -> None:
    """PDF, JPEG or PNG, at most 10 MB."""
    if file_size(file) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("A document may be at most 10 MB."), code="too_large")
    if is_pdf(file):
        return
    if image_format(file, max_pixels=DOCUMENT_IMAGE_MAX_PIXELS) not in DOCUMENT_IMAGE_FORMATS:
        raise ValidationError(_("Upload a PDF, JPEG or PNG file."), code="bad_type")


def parse_attributes(text: str) -> dict[str, str]:
    """``顏色=白; 尺碼=M`` (``;``, ``；``, ``,`` or new lines between pairs) → ``{"顏色": "白", "尺碼": "M"}``.

    ``顏色: 白, 尺碼: M`` (``:`` or ``：``, the way the catalog shows them) is read the same; in a pair that
    has an ``=`` the ``=`` separates (so ``比例=16:9`` keeps its colon)."""
    result: dict[str, str] = {}
    normalised = (text or "").replace("；", ";").replace("，", ";").replace(",", ";").replace("\n", ";")
    for part in normalised.split(";"):
        part = part.strip()
        if not part:
            continue
        part = part.replace("＝", "=")
        if "=" not in part:
            part = part.replace("：", ":")
        key, sep, value = part.partition("=" if "=" in part else ":")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ValidationError(_("Write attributes as name=value pairs, e.g. 顏色=白; 尺碼=M."), code="attributes")
        if key in result:
            raise ValidationError(_("The attribute “%(name)s” appears twice.") % {"name": key}, code="attributes")
        result[key[:50]] = value[:100]
    return result


def format_attributes(attributes: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in (attributes or {}).items())


def parse_money(value: object) -> Decimal:
    """A positive amount with at most two decimals, or ``ValidationError``."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter an amount such as 99.00."), code="invalid") from None
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount such as 99.00."), code="invalid")
    if amount <= 0:
        raise ValidationError(_("The amount must be greater than zero."), code="not_positive")
    if amount.as_tuple().exponent < -2:
        raise ValidationError(_("Use at most two decimal places."), code="decimals")
    if amount >= Decimal("1000000000000"):
        raise ValidationError(_("The amount is too large."), code="too_large")
    return amount.quantize(Decimal("0.01"))


def sku_price_errors(
    *, supply: Decimal | None, suggested: Decimal | None, minimum: Decimal | None, maximum: Decimal | None
) -> dict[str, str]:
    """The supplier's price control (R7): min ≤ suggested ≤ max and supply ≤ min. Field → message."""
    errors: dict[str, str] = {}
    if minimum is not None and maximum is not None and minimum > maximum:
        errors["max_retail_amount"] = str(_("The maximum retail price must not be below the minimum retail price."))
    if suggested is not None and minimum is not None and suggested < minimum:
        errors["suggested_retail_amount"] = str(_("The suggested retail price must not be below the minimum retail price."))
    elif suggested is not None and maximum is not None and suggested > maximum:
        errors["suggested_retail_amount"] = str(_("The suggested retail price must not be above the maximum retail price."))
    if supply is not None and minimum is not None and supply > minimum:
        errors["supply_price_amount"] = str(_("The supply price must not be above the minimum retail price."))
    return errors
