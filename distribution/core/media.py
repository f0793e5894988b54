"""Uploaded files: random storage names, and serving every file under ``MEDIA_ROOT`` through a check.

Nothing under ``MEDIA_URL`` is served as a plain static directory (not by ``make run``, not in
production). ``/media/<name>`` is one view: the app that owns the name's first folders (registered
with :func:`register`) finds the row the file belongs to and says who may read it; everyone else
gets 404. The bytes go out by ``X-Accel-Redirect`` (nginx, ``MEDIA_ACCEL_REDIRECT_PREFIX``), by
``X-Sendfile`` (Apache/lighttpd, ``MEDIA_X_SENDFILE``) or by Django itself (the default).

Only a file whose bytes decode as one of the web image formats is answered inline (``<img>``);
everything else goes out as ``Content-Disposition: attachment`` with ``application/octet-stream``
or PDF, and every answer carries ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from .uploads import extension, image_format

INLINE_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
_FORMAT_BY_EXTENSION = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}


@deconstructible
class RandomName:
    """``upload_to`` giving ``<folder>/<32 random hex>.<ext>``: nothing about the owner or the file's own name."""

    def __init__(self, folder: str) -> None:
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        ext = "".join(ch for ch in extension(filename) if ch.isalnum())[:8] or "bin"
        return f"{self.folder}/{uuid.uuid4().hex}.{ext}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder


@dataclass(frozen=True)
class Allowed:
    """What an owner's resolver hands back when the asking user may read the file."""

    file: FieldFile
    download_name: str = ""
    inline_image: bool = False  # an <img> may show it (still checked by its bytes)
    # the bytes were decoded as an image when stored (product images, our own thumbnails): skip the re-check
    verified_image: bool = False


Resolver = Callable[[HttpRequest, str], "Allowed | None"]
_RESOLVERS: dict[str, str | Resolver] = {}


def register(prefix: str, resolver: str | Resolver) -> None:
    """Files whose name starts with ``prefix`` (``"disputes/"``) are checked by ``resolver(request, name)``.

    The resolver returns :class:`Allowed` or None (answered 404, whether the file exists or not).
    """
    _RESOLVERS[prefix] = resolver


def _resolver_for(name: str) -> Resolver | None:
    for prefix in sorted(_RESOLVERS, key=len, reverse=True):
        if name.startswith(prefix):
            resolver = _RESOLVERS[prefix]
            return import_string(resolver) if isinstance(resolver, str) else resolver
    return None


def member_organisation_id(request: HttpRequest) -> int | None:
    membership = getattr(request, "membership", None)
    return membership.organisation_id if membership else None


def is_staff(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff and user.is_active)


def serve_file(file: FieldFile, *, download_name: str = "", inline_image: bool = False, verified_image: bool = False) -> HttpResponse:
    """The file's bytes, safely: inline only for a verified web image, otherwise a download; always nosniff."""
    name = file.name
    fmt = None
    if verified_image:
        fmt = _FORMAT_BY_EXTENSION.get(extension(name))
    elif inline_image:
        with file.open("rb") as handle:
            try:
                fmt = image_format(handle)
            except ValidationError:  # too many pixels: offered as a download, never decoded here
                fmt = None
    if fmt in INLINE_IMAGE_FORMATS:
        content_type, disposition = INLINE_IMAGE_FORMATS[fmt], "inline"
    else:
        guessed = mimetypes.guess_type(download_name or name)[0]
        content_type = "application/pdf" if guessed == "application/pdf" else "application/octet-stream"
        disposition = "attachment"
    download_name = download_name or name.rsplit("/", 1)[-1]
    accel_prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if accel_prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(name)
    elif getattr(settings, "MEDIA_X_SENDFILE", False):
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = file.path
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    ascii_name = download_name.encode("ascii", "ignore").decode() or "download"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_name.replace(chr(34), "")}"; filename*=UTF-8\'\'{quote(download_name)}'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600" if disposition == "inline" else "private, no-store"
    return response


def serve_allowed(allowed: Allowed | None) -> HttpResponse:
    if allowed is None or not allowed.file:
        raise Http404
    try:
        return serve_file(
            allowed.file, download_name=allowed.download_name, inline_image=allowed.inline_image, verified_image=allowed.verified_image
        )
    except FileNotFoundError:
        raise Http404 from None


def media_view(request: HttpRequest, name: str) -> HttpResponse:
    """``/media/<name>``: the owning app decides; no resolver, a ``..`` or an unknown name is 404."""
    if not name or ".." in name.split("/") or name.startswith("/"):
        raise Http404
    resolver = _resolver_for(name)
    if resolver is None:
        raise Http404
    return serve_allowed(resolver(request, name))
