"""Validation of evidence uploads: images or PDF, at most 10 MB each."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_UPLOAD = 6

# extension → (content type, magic-bytes check)
_KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
}


def evidence_content_type(upload: UploadedFile) -> str:
    """Return the file's content type, or raise ``ValidationError`` with a clear message."""
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in _KINDS:
        raise ValidationError(
            _("%(name)s: only images (JPEG, PNG, GIF, WebP) or PDF files are accepted."), params={"name": name}, code="type"
        )
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB."), params={"name": name}, code="size")
    if not upload.size:
        raise ValidationError(_("%(name)s is empty."), params={"name": name}, code="empty")
    content_type, magics = _KINDS[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics) or (ext == "webp" and head[8:12] != b"WEBP"):
        raise ValidationError(_("%(name)s does not look like a %(kind)s file."), params={"name": name, "kind": ext.upper()}, code="content")
    return content_type


def validate_evidence_files(files: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(_("Attach at most %(n)s files at once."), params={"n": MAX_FILES_PER_UPLOAD}, code="too_many")
    return [(f, evidence_content_type(f)) for f in files]
