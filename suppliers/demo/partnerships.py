"""Demo data for recruitment, applications, partnerships and messages. Idempotent.

Uses ``ctx["supplier1"]``, ``ctx["supplier2"]``, ``ctx["reseller1"]``, ``ctx["reseller2"]``
(made by ``suppliers.demo.profiles`` and ``resellers.demo.seed_profiles``); missing keys are skipped. Tiers 普通/銀牌/金牌 come from
``suppliers.demo`` or are made here.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Membership
from suppliers.models import Message, MessageThread, Partnership, PartnershipApplication, RecruitmentPost, Side, Tier

TIERS = [("普通", "0"), ("銀牌", "5"), ("金牌", "10")]


def _tiers(supplier) -> dict[str, Tier]:
    tiers = {}
    for position, (name, discount) in enumerate(TIERS):
        tiers[name], _created = Tier.objects.get_or_create(
            supplier=supplier, name=name, defaults={"discount_percent": discount, "position": position}
        )
    return tiers


def _owner(organisation_id):
    membership = Membership.objects.select_related("user").filter(organisation_id=organisation_id).order_by("created_at").first()
    return membership.user if membership else None


def _post(supplier, tier, title, body, channel_types):
    post, _created = RecruitmentPost.objects.get_or_create(
        supplier=supplier,
        title=title,
        defaults={"body": body, "tier": tier, "accepted_channel_types": channel_types, "is_open": True},
    )
    return post


def _partnership(supplier, reseller, tier, now, *, days_ago: int, kam=None) -> Partnership:
    live = Partnership.objects.not_terminated().filter(supplier=supplier, reseller=reseller).first()
    if live:
        return live
    started = now - timedelta(days=days_ago)
    partnership = Partnership.objects.create(
        supplier=supplier, reseller=reseller, tier=tier, key_account_manager=kam, started_at=started, last_feed_at=now - timedelta(hours=3)
    )
    PartnershipApplication.objects.create(
        supplier=supplier,
        reseller=reseller,
        message="我們是一家專注服飾的網店，希望代理貴司產品。",
        status=PartnershipApplication.Status.APPROVED,
        decided_at=started,
        decided_by=kam,
        partnership=partnership,
        applicant=_owner(reseller.pk),
    )
    return partnership


def _thread(supplier, reseller, subject, exchange, now, *, days_ago: int) -> None:
    if MessageThread.objects.filter(supplier=supplier, reseller=reseller, subject=subject).exists():
        return
    start = now - timedelta(days=days_ago)
    first_side = exchange[0][0]
    thread = MessageThread.objects.create(
        supplier=supplier, reseller=reseller, subject=subject, started_by=first_side, last_message_at=start
    )
    at = start
    for side, minutes_later, body in exchange:
        at = at + timedelta(minutes=minutes_later)
        sender = _owner(supplier.pk if side == Side.SUPPLIER else reseller.pk)
        Message.objects.create(thread=thread, sender=sender, sender_side=side, body=body, created_at=at)
    last_side = exchange[-1][0]
    MessageThread.objects.filter(pk=thread.pk).update(
        last_message_at=at,
        supplier_read_at=at if last_side == Side.SUPPLIER else at - timedelta(minutes=1),
        reseller_read_at=at if last_side == Side.RESELLER else None,
    )


def seed(ctx: dict) -> None:
    supplier1, supplier2 = ctx.get("supplier1"), ctx.get("supplier2")
    reseller1, reseller2 = ctx.get("reseller1"), ctx.get("reseller2")
    now = timezone.now()
    tiers = {}
    for key, supplier in (("supplier1", supplier1), ("supplier2", supplier2)):
        if supplier is not None:
            tiers[key] = _tiers(supplier)
    if supplier1 is not None:
        _post(
            supplier1,
            tiers["supplier1"]["銀牌"],
            "誠招淘寶、天貓分銷商：服飾全品類一件代發",
            "我們提供春夏服飾全品類，一件代發，48小時內發貨。\n銀牌分銷商享供貨價95折，月銷過萬可升金牌。",
            ["c_store", "mall_store"],
        )
        _post(
            supplier1,
            tiers["supplier1"]["普通"],
            "線下批發商合作招募",
            "面向線下批發門店，起訂量低，支持混批。",
            ["offline_wholesale"],
        )
    if supplier2 is not None:
        _post(
            supplier2,
            tiers["supplier2"]["普通"],
            "家居日用品招募分銷：自建網店與B2C平台優先",
            "家居日用品源頭工廠，所有渠道均可申請。",
            [],
        )
    if supplier1 and reseller1:
        _partnership(supplier1, reseller1, tiers["supplier1"]["金牌"], now, days_ago=120, kam=_owner(supplier1.pk))
        _thread(
            supplier1,
            reseller1,
            "夏季新款什麼時候上架？",
            [
                (Side.RESELLER, 0, "您好，請問夏季新款什麼時候上架？我們想提前準備店鋪頁面。"),
                (Side.SUPPLIER, 45, "您好，預計下週一上架，屆時會通知您。"),
                (Side.RESELLER, 30, "好的，謝謝！"),
            ],
            now,
            days_ago=12,
        )
    if supplier2 and reseller1:
        _partnership(supplier2, reseller1, tiers["supplier2"]["銀牌"], now, days_ago=60)
        _thread(
            supplier2,
            reseller1,
            "採購單發貨查詢",
            [
                (Side.RESELLER, 0, "請問採購單的貨今天能發嗎？顧客在催。"),
                (Side.SUPPLIER, 180, "今天下午四點前發出，物流單號稍後回填。"),
            ],
            now,
            days_ago=3,
        )
    if supplier1 and reseller2:
        partnership = _partnership(supplier1, reseller2, tiers["supplier1"]["普通"], now, days_ago=200)
        if partnership.status == Partnership.Status.ACTIVE:
            reason = "貴店多次以低於最低零售價的價格銷售，經溝通未改善。"
            ends_at = now + settings.PARTNERSHIP_NOTICE_PERIOD + timedelta(days=2)
            partnership.give_notice(reason=reason, ends_at=ends_at, now=now)
            partnership.save()
            _thread(
                supplier1,
                reseller2,
                "合作終止通知",
                [(Side.SUPPLIER, 0, f"我們將於 {timezone.localtime(ends_at):%Y-%m-%d %H:%M} 終止合作。原因：{reason}")],
                now,
                days_ago=0,
            )
    if supplier2 and reseller2:
        live = Partnership.objects.not_terminated().filter(supplier=supplier2, reseller=reseller2)
        pending = PartnershipApplication.objects.filter(
            supplier=supplier2, reseller=reseller2, status=PartnershipApplication.Status.PENDING
        )
        if not live.exists() and not pending.exists():
            PartnershipApplication.objects.create(
                supplier=supplier2,
                reseller=reseller2,
                post=RecruitmentPost.objects.filter(supplier=supplier2).first(),
                message="我們是自建網店，主營家居用品，月訂單約三千。",
                applicant=_owner(reseller2.pk),
            )
    reseller3 = ctx.get("reseller3")
    if supplier1 and reseller3:
        # the supplier's applications page has one waiting for a decision
        live = Partnership.objects.not_terminated().filter(supplier=supplier1, reseller=reseller3)
        if not live.exists() and not PartnershipApplication.objects.filter(supplier=supplier1, reseller=reseller3).exists():
            PartnershipApplication.objects.create(
                supplier=supplier1,
                reseller=reseller3,
                post=RecruitmentPost.objects.filter(supplier=supplier1).first(),
                message="我們在京東經營數碼家居，希望代理貴司的服飾與家居產品。",
                applicant=_owner(reseller3.pk),
            )
