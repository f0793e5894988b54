"""Stored texts (notifications, the PO timeline, statement lines) read in the reader's language.

They are stored as a kind plus parameters and rendered when read: one set of rows, three
languages, and no word of another language on the page (no Han character in English, no
traditional-only character in 简体中文, no simplified-only one in 繁體中文).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import opencc
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as account_services
from accounts.models import Notification
from distribution.core import rule_text, texts
from distribution.core.models import OutboxMessage
from procurement import services
from procurement.models import PurchaseOrderTransition
from procurement.services import timers
from settlement import services as settlement_services
from settlement.models import JournalTransaction
from tests.procurement.factories import make_trade, place, reload

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]")
TO_SIMPLIFIED = opencc.OpenCC("t2s")
TO_TRADITIONAL = opencc.OpenCC("s2t")
# characters that traditional text writes the same way in some words (平台, 公里, 若干, 皇后, 批准, 佣金, 游標…)
SHARED = set("台里干于后面只系准佣游")
LANGUAGES = ["en", "zh-hans", "zh-hant"]


def foreign_words(language: str, text: str) -> list[str]:
    """The characters of ``text`` that belong to another language than ``language``."""
    if language == "en":
        return HAN.findall(text)
    if language == "zh-hans":
        return [c for c in HAN.findall(text) if TO_SIMPLIFIED.convert(c) != c]
    return [c for c in HAN.findall(text) if c not in SHARED and TO_TRADITIONAL.convert(c) != c and TO_SIMPLIFIED.convert(c) == c]


def region(html: str, element_id: str) -> str:
    """The text inside the element with ``element_id`` (tags stripped)."""
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    tag = re.search(r"<(\w+)[^>]*$", html[: start - 1]).group(1)
    depth, position = 1, start
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.start()
            break
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:position])).strip()


@pytest.fixture
def history(settings, django_capture_on_commit_callbacks):
    """Two POs of one trade: one paid, shipped and confirmed by the timer (R16), one closed unpaid (R9).

    Every name a person typed is ASCII, so any Han character on an English page is the platform's.
    """
    settings.LANGUAGE_CODE = "zh-hant"
    trade = make_trade(on_hand=50)
    for user in (trade.supplier_user, trade.reseller_user):
        user.full_name = "Ann Lee"
        user.save(update_fields=["full_name"])
    top_up = settlement_services.top_up_request(
        actor=trade.reseller_user,
        organisation=trade.reseller.organisation,
        amount=Decimal("12345.60"),
        payer_name="Wang Xiaoming",
        bank_reference="BANK-I18N-1",
    )
    settlement_services.top_up_confirm(actor=None, top_up=top_up)
    now = timezone.now()
    with translation.override("zh-hant"):  # written in the default language, as the workers do
        shipped = place(trade, quantity=20, retail_price="99.00", ref="TB-I18N-1")
        services.purchase_order_pay(actor=trade.reseller_user, purchase_order=shipped)
        services.purchase_order_ship(actor=trade.supplier_user, purchase_order=shipped, carrier="SF", tracking_number="SF123456")
        shipped = reload(shipped)
        services.purchase_order_auto_confirm(purchase_order_id=shipped.pk, now=shipped.confirm_by + timedelta(minutes=1))
        unpaid = place(trade, quantity=1, ref="TB-I18N-2")
        timers.purchase_orders_close_unpaid_due(purchase_order_ids=[unpaid.pk], now=unpaid.pay_by + timedelta(minutes=1))
    return trade, reload(shipped), reload(unpaid), now


def page(client, user, url: str, language: str) -> str:
    client.force_login(user)
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_notifications_statement_and_timeline_speak_only_the_readers_language(client, settings, history, language):
    trade, shipped, unpaid, _now = history
    # given: rows written once, in 繁體中文
    assert Notification.objects.filter(user=trade.reseller_user, params__isnull=False).count() >= 3

    notifications = region(page(client, trade.reseller_user, reverse("accounts:notifications"), language), "notifications")
    timeline = region(
        page(client, trade.reseller_user, reverse("procurement:reseller_po_detail", args=[unpaid.number]), language), "timeline"
    )
    completed = region(
        page(client, trade.supplier_user, reverse("procurement:supplier_po_detail", args=[shipped.number]), language), "timeline"
    )
    statement = region(page(client, trade.supplier_user, reverse("settlement:wallet"), language), "statement")

    for name, text in {"notifications": notifications, "timeline": timeline + completed, "statement": statement}.items():
        assert foreign_words(language, text) == [], f"{name} ({language}): {text}"
    pay, confirm = settings.PO_PAY_WITHIN.days, settings.PO_CONFIRM_WITHIN.days
    expected = {
        "en": ("was closed unpaid", f"Not paid within {pay} days (R9).", f"Confirmed automatically {confirm} days after shipping (R16)."),
        "zh-hans": ("因未付款已关闭", f"{pay} 天内未付款（R9）。", f"发货 {confirm} 天后系统自动确认收货（R16）。"),
        "zh-hant": ("因未付款已關閉", f"{pay} 天內未付款（R9）。", f"發貨 {confirm} 天後系統自動確認收貨（R16）。"),
    }[language]
    assert expected[0] in notifications
    with translation.override(language):  # on PO pages a rule code comes with its title (distribution/core/rule_text.py)
        def shown(text: str) -> str:
            return re.sub(r"R\d+", lambda m: f" {m.group(0)} {rule_text.rule(m.group(0)).title} ", text)

        in_timeline = shown(expected[1]), shown(expected[2])
    assert in_timeline[0] in timeline
    assert in_timeline[1] in completed
    assert expected[2] in statement
    assert "12,345.60" in notifications  # the top-up, with the reader's thousands separators


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "After-sales {number}: 1,250.00 refunded to your wallet"),
        ("zh-hans", "售后 {number}：1,250.00 已退至您的钱包"),
        ("zh-hant", "售後 {number}：1,250.00 已退至您的錢包"),
    ],
)
def test_an_after_sales_notice_is_read_in_the_readers_language(client, settings, language, expected):
    from aftersales import services as aftersales
    from tests.aftersales.factories import open_request
    from tests.procurement.factories import make_trade

    settings.LANGUAGE_CODE = "zh-hant"
    trade = make_trade(funds="5000.00", on_hand=50)
    for user in (trade.supplier_user, trade.reseller_user):  # what people typed is ASCII: any Han character is the platform's
        user.full_name = "Ann Lee"
        user.save(update_fields=["full_name"])
    with translation.override("zh-hant"):  # written once, in the default language
        po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=place(trade, quantity=30))
        po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="SF1")
        po = services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
        request = open_request(trade, po, quantity=25)  # 25 × 50.00
        aftersales.after_sale_agree(actor=trade.supplier_user, after_sale=request)

    notifications = region(page(client, trade.reseller_user, reverse("accounts:notifications"), language), "notifications")
    timeline = region(
        page(client, trade.reseller_user, reverse("aftersales:reseller_detail", args=[request.number]), language), "timeline"
    )

    assert expected.format(number=request.number) in notifications
    assert foreign_words(language, notifications) == [], notifications
    assert foreign_words(language, timeline) == [], timeline


def test_a_row_written_the_old_way_is_shown_as_it_was_written(client, history):
    trade, *_ = history
    account_services.notify_users(users=[trade.reseller_user], kind="legacy.kind", title="舊式通知", body="照原樣顯示")

    notifications = page(client, trade.reseller_user, reverse("accounts:notifications"), "en")

    assert "舊式通知" in notifications and "照原樣顯示" in notifications


def test_an_old_row_is_mapped_to_its_kind_by_the_data_migration(history):
    trade, shipped, *_ = history
    # given: a notification and a timeline reason stored as finished 繁體 text (as before this change)
    with translation.override("zh-hant"):
        title = str(texts.get("purchase_order.closed_unpaid").title) % {"number": "PO-OLD-1"}
        reason = str(texts.get("purchase_order.reason.auto_confirmed").title) % {"days": 30}

    # when: the data migrations' parser reads them back
    kind, params = texts.parse(title, prefer="purchase_order.closed")
    reason_kind, reason_params = texts.parse(reason)

    # then: they render in English, and an unknown text is left alone (its text stays the fallback)
    with translation.override("en"):
        assert texts.render(kind, params) == "Purchase order PO-OLD-1 was closed unpaid"
        assert texts.render(reason_kind, reason_params) == "Confirmed automatically 30 days after shipping (R16)."
    assert texts.parse("請盡快出貨，謝謝") is None


def test_money_in_a_stored_text_follows_the_readers_separators():
    text = texts.get("settlement.top_up_confirmed")(amount=texts.Money(Decimal("1234567.5")))
    stored = texts.stored(text)

    for language in LANGUAGES:
        with translation.override(language):
            assert "1,234,567.50" in texts.show_stored(stored, "")


def test_the_recipient_reads_the_reminder_email_in_their_own_language(history, django_capture_on_commit_callbacks):
    trade, *_ = history
    trade.reseller_user.language = "en"
    trade.reseller_user.save(update_fields=["language"])
    po = place(trade, quantity=1, ref="TB-I18N-3")
    OutboxMessage.objects.all().delete()

    with translation.override("zh-hant"):
        services.purchase_order_remind(purchase_order_id=po.pk, kind="pay", now=po.pay_by - timedelta(minutes=30))

    mails = {tuple(m.payload["to"]): m.payload for m in OutboxMessage.objects.filter(topic="core.email")}
    english = mails[(trade.reseller_user.email,)]
    assert english["subject"].startswith(f"Pay purchase order {po.number} by")
    assert not HAN.search(english["subject"] + english["body"])


def test_the_language_switcher_remembers_a_signed_in_users_choice(client, history):
    trade, *_ = history
    client.force_login(trade.reseller_user)

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    trade.reseller_user.refresh_from_db()
    assert trade.reseller_user.language == "zh-hans"


def test_a_system_reason_is_stored_with_its_kind(settings, history):
    _trade, _shipped, unpaid, _now = history

    transition = PurchaseOrderTransition.objects.filter(purchase_order=unpaid, to_status="closed").get()
    memo = JournalTransaction.objects.filter(kind=JournalTransaction.Kind.PO_RELEASE).get()

    assert transition.reason_text["kind"] == "purchase_order.reason.not_paid"
    assert transition.reason == f"{settings.PO_PAY_WITHIN.days} 天內未付款（R9）。"  # the default language's text: the fallback
    assert memo.memo_text["kind"] == "purchase_order.reason.auto_confirmed"


@pytest.mark.parametrize(
    ("language", "days", "left"), [("zh-hant", "{n} 天", "剩餘"), ("zh-hans", "{n} 天", "剩余"), ("en", "{n} days", "left")]
)
def test_the_countdown_speaks_the_pages_language(client, history, language, days, left):
    trade, *_ = history
    po = place(trade, quantity=1, ref="TB-I18N-4")

    html = page(client, trade.reseller_user, reverse("procurement:reseller_po_detail", args=[po.number]), language)

    assert f'data-days="{days}"' in html
    assert left in html.split("data-left=")[1].split('"')[1]
    assert '"d "' not in html  # the clock never writes an English day unit itself


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "6\xa0days, 23\xa0hours"), ("zh-hant", "6\xa0天，23\xa0小時"), ("zh-hans", "6\xa0天，23\xa0小时")]
)
def test_a_duration_is_written_in_words(language, expected):
    from distribution.core.durations import humanize_duration

    with translation.override(language):
        assert humanize_duration(timedelta(days=6, hours=23, minutes=59, seconds=59)) == expected


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
def test_every_admin_column_header_is_translated(language):
    from django.contrib import admin
    from django.contrib.admin.utils import label_for_field

    ours = {"accounts", "core", "settlement", "suppliers", "resellers", "procurement", "disputes"}
    untranslated = []
    with translation.override(language):
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label not in ours:
                continue
            for name in model_admin.list_display:
                label = str(label_for_field(name, model, model_admin)) if isinstance(name, str) else ""
                if re.search(r"[A-Za-z]{3,}", label) and label not in {"SKU", "CSV", "URL"}:
                    untranslated.append(f"{model._meta.label}.{name}: {label}")

    assert untranslated == []


@pytest.mark.parametrize(("language", "directory"), [("zh-hans", "zh_Hans"), ("zh-hant", "zh_Hant")])
def test_each_chinese_catalog_is_written_in_its_own_script(language, directory):
    from pathlib import Path

    from tests.test_i18n_completeness import CATALOG_DIRS, parse_po

    root = Path(__file__).resolve().parent.parent
    wrong = [
        f"{base}: {entry['msgid']!r} → {text}"
        for base in CATALOG_DIRS
        for entry in parse_po(root / base / directory / "LC_MESSAGES" / "django.po")
        for text in entry["msgstrs"]
        if foreign_words(language, text)
    ]

    assert wrong == []
