"""Evidence uploads (disputes, penalties): images or PDF, at most 10 MB each; the form fields for them and for money."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from distribution.core.uploads import sniff

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_UPLOAD = 6

# extension → content type; the bytes must really be that (core/uploads.py sniffs them)
_KINDS: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
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
    content_type = _KINDS[ext]
    try:
        actual = sniff(upload)  # decoded by Pillow (or a PDF), not just its first bytes
    except ValidationError as exc:
        raise ValidationError(f"{name}: {exc.messages[0]}", code="too_many_pixels") from None
    if actual != content_type:
        raise ValidationError(_("%(name)s does not look like a %(kind)s file."), params={"name": name, "kind": ext.upper()}, code="content")
    return content_type


def validate_evidence_files(files: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(_("Attach at most %(n)s files at once."), params={"n": MAX_FILES_PER_UPLOAD}, code="too_many")
    return [(f, evidence_content_type(f)) for f in files]


ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to ``MAX_FILES_PER_UPLOAD`` files checked by content; the cleaned value is the files, or
    ``[(file, content_type)]`` with ``with_content_types``."""

    widget = MultipleFileInput
    with_content_types = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Evidence (photos or PDF, up to 10 MB each)"))
        kwargs.setdefault("help_text", _("Up to %(n)s files.") % {"n": MAX_FILES_PER_UPLOAD})
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"accept": ACCEPT})

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(d, initial) for d in data if d] if isinstance(data, list | tuple) else [single(data, initial)] if data else []
        checked = validate_evidence_files(files)
        return checked if self.with_content_types else files


class MoneyField(forms.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.00"))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
