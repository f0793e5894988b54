"""Shared helpers in distribution.core: what an upload really is, CSV streamed for spreadsheets, read-only admins."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from distribution.core.csv_stream import csv_lines
from distribution.core.uploads import extension, file_size, image_format, is_pdf


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_extension_is_lower_case_without_the_dot():
    assert extension("收據.JPG") == "jpg"
    assert extension("archive.tar.gz") == "gz"
    assert extension("README") == ""
    assert extension(None) == ""


def test_file_size_works_with_and_without_a_size_attribute():
    assert file_size(SimpleUploadedFile("a.bin", b"12345")) == 5
    stream = io.BytesIO(b"123")
    stream.seek(1)
    assert file_size(stream) == 3
    assert stream.tell() == 1


def test_image_format_decodes_the_bytes_and_rewinds():
    upload = SimpleUploadedFile("photo.pdf", _png())

    assert image_format(upload) == "PNG"
    assert upload.tell() == 0


def test_image_format_refuses_a_renamed_file_and_a_truncated_image():
    assert image_format(SimpleUploadedFile("x.png", b"MZ not an image")) is None
    assert image_format(SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)) is None


def test_is_pdf_checks_the_signature_and_rewinds():
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n...")

    assert is_pdf(pdf) is True
    assert pdf.tell() == 0
    assert is_pdf(SimpleUploadedFile("a.pdf", b"hello")) is False


def test_csv_lines_start_with_a_bom_and_quote_like_the_csv_module():
    lines = list(csv_lines(["名稱", "金額"], iter([["茶, 綠", "1.00"], ['說"明"', 2]])))

    assert lines[0].startswith("\ufeff")
    text = "".join(lines).lstrip("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [["名稱", "金額"], ["茶, 綠", "1.00"], ['說"明"', "2"]]


def test_csv_lines_are_produced_lazily():
    consumed = []

    def rows():
        for i in range(3):
            consumed.append(i)
            yield [i]

    lines = csv_lines(["n"], rows())
    next(lines)

    assert consumed == []


def test_read_only_admins_refuse_add_change_and_delete(rf):
    from django.contrib import admin

    from accounts.models import AgreementAcceptance
    from distribution.core.models import AuditEvent
    from settlement.models import JournalTransaction
    from suppliers.models import MessageThread, StockAdjustment

    request = rf.get("/admin/")
    for model in (AuditEvent, AgreementAcceptance, StockAdjustment, JournalTransaction, MessageThread):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
