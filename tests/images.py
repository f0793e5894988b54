"""Real image bytes for upload tests (Pillow-made, so they decode), and decompression bombs."""

from __future__ import annotations

import io
import zlib
from functools import cache
from struct import pack

from PIL import Image


def png_bytes(width: int = 8, height: int = 8, color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@cache
def bomb_png(width: int = 30000, height: int = 30000, *, rgba: bool = False) -> bytes:
    """A valid PNG of ``width`` × ``height`` black pixels that compresses to a few hundred KB."""
    channels, colour_type = (4, 6) if rgba else (1, 0)
    row = b"\x00" + b"\x00" * (width * channels)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


PNG = png_bytes()
# A real PNG signature and header followed by an HTML page: not an image.
PNG_HEADER_WITH_HTML = b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(document.cookie)</script></html>"
