"""The weekly channel digest (R17): content, once per week and member, opt-out, key-account scope."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Penalty
from distribution.core.sweeps import run_sweep
from reports import rollup
from reports.models import DigestDelivery
from suppliers.models import PartnershipApplication
from suppliers.services.messaging import thread_start
from tests.accounts.factories import MembershipFactory
from tests.resellers.factories import ResellerFactory

from .conftest import at

MONDAY_MORNING = at(2026, 11, 9, 8, 0)  # the digest of the week 11-02 … 11-08


@pytest.fixture
def week(history):
    """The history plus, in the week of 11-02: an application, an unanswered message and a penalty."""
    with time_machine.travel(at(2026, 11, 4, 15, 0), tick=False):
        newcomer = ResellerFactory(name="新來的店")
        PartnershipApplication.objects.create(supplier=history.s.supplier, reseller=newcomer, message="想合作")
    with time_machine.travel(at(2026, 11, 6, 9, 0), tick=False):
        thread_start(
            actor=history.s.reseller_user, organisation=history.r1.organisation, supplier=history.s.supplier, reseller=history.r1,
            subject="補貨時間", body="請問何時補貨？",
        )  # fmt: skip
        Penalty.objects.create(organisation=history.r2.organisation, rule="R7", description="超出價格範圍")
    rollup.rebuild()
    history.newcomer = newcomer
    return history


def digests(subject_part: str = "") -> list:
    return [m for m in mail.outbox if "digest" in m.subject.lower() or "摘要" in m.subject if subject_part in m.subject]


def test_monday_digest_content_once_per_week_and_member(week, run_outbox):
    run_outbox()
    mail.outbox.clear()
    with time_machine.travel(MONDAY_MORNING, tick=False):
        result = run_sweep("weekly_digests", now=MONDAY_MORNING)
        assert result.count == 1 and not result.failed
        run_outbox("email")
    [message] = digests()
    assert message.to == [week.s.supplier_user.email]
    html = message.alternatives[0][0]
    r1, r2 = week.r1.organisation.name, week.r2.organisation.name
    delivery = DigestDelivery.objects.get()
    content = delivery.content
    assert (delivery.week_start.isoformat(), content["week_end"]) == ("2026-11-02", "2026-11-08")
    sales = {s["reseller"]: (s["pos"], s["gmv"], s["previous"], s["change"]) for s in content["sales"]}
    assert sales == {r1: (2, "150.00", "0.00", None), r2: (1, "150.00", "0.00", None)}
    assert [a["reseller"] for a in content["applications"]] == [week.newcomer.organisation.name]
    assert [(t["reseller"], t["subject"]) for t in content["unanswered"]] == [(r1, "補貨時間")]
    assert [(d["reseller"], d["amount"]) for d in content["disputes"]] == [(r2, "30.00")]
    assert [(p["reseller"], p["rule"]) for p in content["penalties"]] == [(r2, "R7")]
    assert content["quiet"] == []  # both ordered within 14 days
    for text in (message.body, html):
        assert "補貨時間" in text and week.newcomer.organisation.name in text and "150.00" in text

    # a second run that Monday, or on Tuesday, sends nothing more
    with time_machine.travel(at(2026, 11, 10, 8, 0), tick=False):
        assert run_sweep("weekly_digests", now=at(2026, 11, 10, 8, 0)).count == 0
        run_outbox("email")
    assert len(digests()) == 1 and DigestDelivery.objects.count() == 1


def test_the_week_after_compares_with_the_week_before_and_names_quiet_resellers(week, run_outbox):
    owner = week.s.supplier.organisation.memberships.get(role="owner")
    from reports import digest

    later = digest.build(membership=owner, week_start=at(2026, 11, 16).date())
    assert later["sales"] == []  # nothing in 11-16 … 11-22 nor the week before
    assert sorted(q["reseller"] for q in later["quiet"]) == sorted([week.r1.organisation.name, week.r2.organisation.name])
    following = digest.build(membership=owner, week_start=at(2026, 11, 9).date())
    assert {s["reseller"]: s["change"] for s in following["sales"]} == {
        week.r1.organisation.name: "-100.0",
        week.r2.organisation.name: "-100.0",
    }
    # nobody has answered the message a week later: it is still listed
    assert following["unanswered"][0]["subject"] == "補貨時間"


def test_key_account_manager_gets_their_accounts_only_and_the_response_time(week, run_outbox):
    kam = MembershipFactory(organisation=week.s.supplier.organisation, role="staff")
    week.s.partnership.key_account_manager = kam.user
    week.s.partnership.save()
    run_outbox()
    mail.outbox.clear()
    with time_machine.travel(MONDAY_MORNING, tick=False):
        assert run_sweep("weekly_digests", now=MONDAY_MORNING).count == 2
        run_outbox("email")
    mine = DigestDelivery.objects.get(membership=kam)
    assert mine.key_accounts_only
    assert [s["reseller"] for s in mine.content["sales"]] == [week.r1.organisation.name]
    assert mine.content["disputes"] == [] and mine.content["penalties"] == []
    assert mine.content["response_hours"] == "63.0"  # asked 11-06 09:00, unanswered when the week ended (11-09 00:00)
    assert {m.to[0] for m in digests()} == {kam.user.email, week.s.supplier_user.email}


def test_the_page_shows_the_same_digest_and_a_member_can_opt_out(week, client, run_outbox):
    client.force_login(week.s.supplier_user)
    url = reverse("reports:digest")
    with time_machine.travel(at(2026, 11, 12, 10, 0), tick=True):
        page = client.get(url, {"week": "2026-11-02"})
        assert page.status_code == 200
        text = page.content.decode()
        assert "補貨時間" in text and week.newcomer.organisation.name in text
        assert client.post(url + "?week=2026-11-02", {"opt_out": "1"}).status_code == 302
        assert client.get(url, {"week": "not-a-date"}).status_code == 200
    run_outbox()
    mail.outbox.clear()
    with time_machine.travel(MONDAY_MORNING, tick=False):
        assert run_sweep("weekly_digests", now=MONDAY_MORNING).count == 0
    # a reseller has no digest page
    client.force_login(week.s.reseller_user)
    assert client.get(url).status_code == 403


def test_each_recipient_reads_the_digest_and_its_notice_in_their_own_language(week, run_outbox):
    """The subject is a registered text (``reports.weekly_digest``) and the whole email is rendered in
    the recipient's ``User.language``; the notice on the platform is rendered when read."""
    from accounts.models import Notification
    from distribution.core import texts
    from reports import text_kinds

    assert texts.get("reports.weekly_digest") is text_kinds.WEEKLY_DIGEST
    org = week.s.supplier.organisation
    owner = week.s.supplier_user
    owner.language = "zh-hant"
    owner.save(update_fields=["language"])
    english = MembershipFactory(organisation=org, role="manager", user__language="en").user
    simplified = MembershipFactory(organisation=org, role="manager", user__language="zh-hans").user
    run_outbox()
    mail.outbox.clear()
    with time_machine.travel(MONDAY_MORNING, tick=False):
        assert run_sweep("weekly_digests", now=MONDAY_MORNING).count == 3
        run_outbox("email")
    name = week.s.supplier.company_name
    expected = {
        owner.email: (f"渠道週報：{name}，2026-11-02 當週", "各分銷商銷售"),
        english.email: (f"Weekly channel digest, {name}, week of 2026-11-02", "Sales per reseller"),
        simplified.email: (f"渠道周报：{name}，2026-11-02 当周", "各分销商销售"),
    }
    got = {m.to[0]: m for m in mail.outbox}
    assert set(got) == set(expected)
    for address, (subject, heading) in expected.items():
        assert got[address].subject == subject
        assert heading in got[address].body and heading in got[address].alternatives[0][0]
    notices = {n.user_id: n for n in Notification.objects.filter(kind="reports.weekly_digest")}
    assert set(notices) == {owner.pk, english.pk, simplified.pk}
    for user, language in ((owner, "zh-hant"), (english, "en"), (simplified, "zh-hans")):
        with translation.override(language):
            assert notices[user.pk].display_title == expected[user.email][0]
        assert notices[user.pk].url == "/reports/digest/?week=2026-11-02"
