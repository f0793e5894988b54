"""Shared helpers for the catalog tests (uploads, members with a role)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from suppliers.services import SKUInput
from tests.accounts.factories import MembershipFactory


def image_upload(name: str = "photo.png", fmt: str = "PNG", size=(800, 600)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def pdf_upload(name: str = "declaration.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


def member(supplier, role: str = "manager"):
    return MembershipFactory(organisation=supplier.organisation, role=role).user


def sku_input(code: str = "TS-WHITE-M", **overrides) -> SKUInput:
    values = {
        "code": code,
        "attributes": {"顏色": "白", "尺碼": "M"},
        "supply_price_amount": Decimal("50.00"),
        "suggested_retail_amount": Decimal("99.00"),
        "min_retail_amount": Decimal("79.00"),
        "max_retail_amount": Decimal("129.00"),
        "weight_grams": 300,
        "on_hand": 10,
    }
    values.update(overrides)
    return SKUInput(**values)
