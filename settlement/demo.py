"""Demo money: funded reseller wallets (confirmed top-ups), a supplier's opening balance,
a reward, and one pending top-up and one pending withdrawal for staff to decide in admin.

Idempotent: every movement has a stable key (bank reference or idempotency key), so a
re-run adds nothing. Uses the ctx keys made by ``accounts.demo``.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.base import ContentFile

from . import services
from .models import TopUpRequest, WithdrawalRequest


def _org(party):
    return getattr(party, "organisation", party)


def _receipt(reference: str) -> ContentFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([8, 8, 471, 231], outline="black", width=2)
    draw.text((24, 30), "BANK TRANSFER RECEIPT", fill="black")
    draw.text((24, 80), f"Reference: {reference}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=f"{reference}.png")


def _confirmed_top_up(party, *, target: Decimal, reference: str, staff) -> None:
    """Top ``party`` up to at least ``target`` once (keyed by ``reference``)."""
    organisation = _org(party)
    if TopUpRequest.objects.filter(organisation=organisation, bank_reference=reference).exists():
        return
    shortfall = target - services.wallet_balance(organisation)
    if shortfall <= 0:
        return
    top_up = services.top_up_request(
        actor=None,
        organisation=organisation,
        amount=shortfall,
        payer_name=organisation.name,
        bank_reference=reference,
        receipt=_receipt(reference),
    )
    services.top_up_confirm(actor=staff, top_up=top_up)


def seed(ctx: dict) -> None:
    staff = ctx.get("staff")
    reseller1, reseller2, supplier1 = ctx.get("reseller1"), ctx.get("reseller2"), ctx.get("supplier1")
    if reseller1 is not None:
        _confirmed_top_up(reseller1, target=Decimal("20000.00"), reference="DEMO-TOPUP-R1-OPENING", staff=staff)
        org = _org(reseller1)
        if not TopUpRequest.objects.filter(organisation=org, bank_reference="DEMO-TOPUP-R1-PENDING").exists():
            services.top_up_request(
                actor=None,
                organisation=org,
                amount=Decimal("3000.00"),
                payer_name=org.name,
                bank_reference="DEMO-TOPUP-R1-PENDING",
                receipt=_receipt("DEMO-TOPUP-R1-PENDING"),
            )
    if reseller2 is not None:
        _confirmed_top_up(reseller2, target=Decimal("5000.00"), reference="DEMO-TOPUP-R2-OPENING", staff=staff)
    if supplier1 is not None:
        org = _org(supplier1)
        services.wallet_adjust(
            actor=staff,
            organisation=org,
            amount=Decimal("8000.00"),
            memo="期初餘額（自舊系統結轉）",
            idempotency_key=f"demo-opening-{org.pk}",
        )
        if not WithdrawalRequest.objects.filter(organisation=org, idempotency_key="demo-withdrawal-1").exists():
            services.withdrawal_request(
                actor=staff,
                organisation=org,
                amount=Decimal("1500.00"),
                account_name=org.name,
                bank_name="中國工商銀行 上海分行",
                account_number="6222020200112233445",
                idempotency_key="demo-withdrawal-1",
            )
    ctx["lines"].append("Wallets: reseller@demo.test ≥ 20,000.00, reseller2@demo.test ≥ 5,000.00; pending top-up and withdrawal in /admin/")
