"""What an uploaded file really is, judged by its bytes rather than its name (shared by the apps' validators).

Every helper leaves the file rewound to the start, so a caller can check it and then save it.
"""

from __future__ import annotations

from typing import IO

from PIL import Image, UnidentifiedImageError


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


def image_format(file: IO) -> str | None:
    """Pillow's format name (``"JPEG"``, ``"PNG"``, ``"WEBP"``, ...) if the file decodes as an image, else None."""
    try:
        file.seek(0)
        with Image.open(file) as image:
            fmt = image.format
            image.verify()
        return fmt
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        file.seek(0)


def is_pdf(file: IO) -> bool:
    """True when the file starts with the PDF signature."""
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    return head == b"%PDF-"
