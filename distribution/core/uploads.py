"""What an uploaded file really is, judged by its bytes rather than its name (shared by the apps' validators).

One path for every upload kind: :func:`sniff` says what the bytes are (a PDF, or an image that
Pillow opens and verifies), and refuses images with more pixels than the kind allows, before
anything decodes them. Pillow's own decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``, from
``UPLOAD_MAX_IMAGE_PIXELS``) stops anything bigger everywhere else (thumbnails, admin); its errors
become the same form error, never a 500.

Every helper leaves the file rewound to the start, so a caller can check it and then save it.
"""

from __future__ import annotations

import warnings
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

# Per kind: product photos are shown in the catalog (thumbnails are made from them); documents,
# receipts, evidence and attachments may be scans or phone photos.
PRODUCT_IMAGE_MAX_PIXELS = 25_000_000
DOCUMENT_IMAGE_MAX_PIXELS = 40_000_000

IMAGE_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


class TooManyPixels(ValidationError):
    def __init__(self, max_pixels: int) -> None:
        super().__init__(
            _("This image has too many pixels (at most %(megapixels)s million); upload a smaller one."),
            code="too_many_pixels",
            params={"megapixels": max_pixels // 1_000_000},
        )


def extension(name: str | None) -> str:
    """The lower-case extension of a file name without the dot (``"收據.JPG"`` → ``"jpg"``; none → ``""``)."""
    name = name or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def file_size(file: IO) -> int:
    """The size in bytes, from ``.size`` when the upload knows it, else by seeking."""
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(pos)
    return size


def image_format(file: IO, *, max_pixels: int | None = None) -> str | None:
    """Pillow's format name (``"JPEG"``, ``"PNG"``, ``"WEBP"``, ...) if the file opens and verifies as an image, else None.

    Raises :class:`TooManyPixels` when the image is larger than ``max_pixels`` (or Pillow's own
    bomb limit); only the header is read for that, nothing is decoded.
    """
    limit = max_pixels or Image.MAX_IMAGE_PIXELS or DOCUMENT_IMAGE_MAX_PIXELS
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                if width * height > limit:
                    raise TooManyPixels(limit)
                fmt = image.format
                image.verify()
        return fmt
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooManyPixels(limit) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)


def is_pdf(file: IO) -> bool:
    """True when the file starts with the PDF signature."""
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    return head == b"%PDF-"


def sniff(file: IO, *, max_pixels: int = DOCUMENT_IMAGE_MAX_PIXELS) -> str | None:
    """The content type the bytes really are: ``application/pdf``, ``image/jpeg|png|webp|gif``, or None.

    Raises :class:`TooManyPixels` for an image above ``max_pixels``.
    """
    if is_pdf(file):
        return "application/pdf"
    return IMAGE_CONTENT_TYPES.get(image_format(file, max_pixels=max_pixels) or "")
