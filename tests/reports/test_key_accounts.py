"""Key-account managers (大客戶由主管級人物掌控、跟進): a key account's messages, applications and disputes
reach its manager and the owner; "my accounts" filters; the manager's response time (R4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from disputes import services as disputes
from procurement import services
from suppliers.models import Partnership
from suppliers.services.messaging import message_post, thread_start
from suppliers.services.partnerships import application_submit
from tests.accounts.factories import MembershipFactory
from tests.procurement.factories import make_trade, place


@pytest.fixture
def team(db):
    """Supplier with an owner, a manager and a key-account manager (staff) of reseller A; reseller B has none."""
    a = make_trade(funds="1000.00")
    b = make_trade(supplier=a.supplier, funds="1000.00")
    org = a.supplier.organisation
    manager = MembershipFactory(organisation=org, role="manager").user
    kam = MembershipFactory(organisation=org, role="staff").user
    Partnership.objects.filter(pk=a.partnership.pk).update(key_account_manager=kam)
    return {"a": a, "b": b, "owner": a.supplier_user, "manager": manager, "kam": kam}


def test_a_key_accounts_message_is_emailed_to_its_manager_and_the_owner(team, run_outbox):
    a, b = team["a"], team["b"]
    run_outbox()
    mail.outbox.clear()
    thread_start(
        actor=a.reseller_user,
        organisation=a.reseller.organisation,
        supplier=a.supplier,
        reseller=a.reseller,
        subject="到貨",
        body="何時到？",
    )
    thread_start(
        actor=b.reseller_user,
        organisation=b.reseller.organisation,
        supplier=b.supplier,
        reseller=b.reseller,
        subject="補貨",
        body="何時補？",
    )
    run_outbox("email")
    to = {m.subject.split(":")[-1].strip(): set(m.to) for m in mail.outbox}
    assert to["到貨"] == {team["kam"].email, team["owner"].email}
    assert to["補貨"] == {team["kam"].email, team["owner"].email, team["manager"].email}


def test_a_key_accounts_dispute_notifies_its_manager_and_the_owner(team):
    a = team["a"]
    po = place(a, quantity=1)
    services.purchase_order_pay(actor=a.reseller_user, purchase_order=po)
    services.purchase_order_ship(actor=a.supplier_user, purchase_order=po, carrier="SF", tracking_number="SF1")
    Notification.objects.all().delete()
    disputes.dispute_open(actor=a.reseller_user, purchase_order=po, reason="damaged", requested_amount="10.00", description="破損")
    supplier_side = set(
        Notification.objects.filter(user__membership__organisation=a.supplier.organisation).values_list("user_id", flat=True)
    )
    assert supplier_side == {team["kam"].pk, team["owner"].pk}


def test_a_returning_key_accounts_application_goes_to_its_manager_and_the_owner(team):
    a, b = team["a"], team["b"]
    Partnership.objects.filter(supplier=a.supplier).update(status=Partnership.Status.TERMINATED, terminated_at=timezone.now())
    Notification.objects.all().delete()
    application_submit(actor=a.reseller_user, reseller=a.reseller, supplier=a.supplier, message="再次合作")
    application_submit(actor=b.reseller_user, reseller=b.reseller, supplier=b.supplier, message="想合作")
    told = {}
    for n in Notification.objects.filter(kind="application.received"):
        told.setdefault(n.body, set()).add(n.user_id)
    assert told["再次合作"] == {team["kam"].pk, team["owner"].pk}
    assert told["想合作"] == {team["owner"].pk, team["manager"].pk}  # no manager: owners and managers, as before


def test_my_accounts_filters_and_the_response_time(team, client):
    a, b = team["a"], team["b"]
    t = thread_start(
        actor=a.reseller_user, organisation=a.reseller.organisation, supplier=a.supplier, reseller=a.reseller, subject="到貨", body="?"
    )
    thread_start(
        actor=b.reseller_user, organisation=b.reseller.organisation, supplier=b.supplier, reseller=b.reseller, subject="補貨", body="?"
    )
    message_post(actor=team["kam"], organisation=a.supplier.organisation, thread=t, body="明天", now=timezone.now() + timedelta(hours=2))
    place(a, ref="TB-A")
    place(b, ref="TB-B")
    client.force_login(team["kam"])
    page = client.get(reverse("suppliers:partnership_list"), {"mine": "1"})
    assert [p.reseller_id for p in page.context["page"]] == [a.reseller.pk]
    assert page.context["my_response"].threads == 1
    assert page.context["my_response"].median.total_seconds() == pytest.approx(7200, abs=5)
    threads = client.get(reverse("partners:thread_list"), {"mine": "1"})
    assert [x.subject for x in threads.context["page"]] == ["到貨"]
    pos = client.get(reverse("procurement:supplier_po_list"), {"status": "all", "mine": "1"})
    assert [p.reseller_id for p in pos.context["page"]] == [a.reseller.pk]
    assert len(client.get(reverse("procurement:supplier_po_list"), {"status": "all"}).context["page"].object_list) == 2


# --- every kind of notice reaches a key account's manager and the owner(s), no other member -------


def told(organisation, **filters) -> set[int]:
    """The supplier-side users notified (of the notices matching ``filters``)."""
    return set(Notification.objects.filter(organisation_id=organisation.pk, **filters).values_list("user_id", flat=True))


def both_sides(team, make, kind: str) -> None:
    """``make(trade)`` notifies the supplier about each reseller's PO: A's go to the KAM and the owner,
    B's (no KAM) to every member."""
    a, b = team["a"], team["b"]
    org = a.supplier.organisation
    po_a, po_b = make(a), make(b)
    assert told(org, kind=kind, url__contains=po_a.number) == {team["kam"].pk, team["owner"].pk}
    assert told(org, kind=kind, url__contains=po_b.number) == {team["kam"].pk, team["owner"].pk, team["manager"].pk}


def test_a_key_accounts_new_and_paid_purchase_orders(team):
    def placed(trade):
        return place(trade, quantity=1, ref="TB-NEW")

    both_sides(team, placed, "purchase_order.placed")

    def paid(trade):
        po = place(trade, quantity=1, ref="TB-PAID")
        return services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)

    both_sides(team, paid, "purchase_order.paid")


@pytest.mark.parametrize(
    ("timer", "kind"),
    [
        ("close_unpaid", "purchase_order.closed"),
        ("refund_unshipped", "purchase_order.refunded"),
        ("auto_confirm", "purchase_order.completed"),
    ],
)
def test_a_key_accounts_timer_notices(team, timer, kind):
    """The timers notify set-based (one INSERT … SELECT per batch): the same rule, row by row."""
    from procurement.models import PurchaseOrder
    from procurement.services import timers

    a, b = team["a"], team["b"]
    pos = []
    for trade in (a, b):
        po = place(trade, quantity=1, ref=f"TB-{timer}")
        if timer != "close_unpaid":
            services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
        if timer == "auto_confirm":
            services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="SF9")
        pos.append(PurchaseOrder.objects.get(pk=po.pk))
    deadline = {"close_unpaid": "pay_by", "refund_unshipped": "ship_by", "auto_confirm": "confirm_by"}[timer]
    now = max(getattr(po, deadline) for po in pos) + timedelta(minutes=1)
    Notification.objects.all().delete()
    done = getattr(timers, f"purchase_orders_{timer}_due")(purchase_order_ids=[po.pk for po in pos], now=now)
    assert sorted(done) == sorted(po.number for po in pos)
    org = a.supplier.organisation
    # A's PO goes to its KAM and the owner(s), B's (no KAM) to every member; a person told of
    # several POs of the batch gets one notice naming them all (its params), of one, that PO's
    pos_told: dict[int, set[str]] = {}
    for notice in Notification.objects.filter(organisation_id=org.pk, kind=kind):
        numbers = notice.params["numbers"].split(", ") if "numbers" in notice.params else [notice.params["number"]]
        assert notice.user_id not in pos_told  # one notice per person and organisation
        pos_told[notice.user_id] = set(numbers)
    a_po, b_po = pos[0].number, pos[1].number
    assert pos_told == {team["kam"].pk: {a_po, b_po}, team["owner"].pk: {a_po, b_po}, team["manager"].pk: {b_po}}
    assert told(org, kind=kind, url__contains=b_po) == {team["manager"].pk}  # a single PO's notice links to it
    assert told(a.reseller.organisation, kind=kind) == {a.reseller_user.pk}  # the reseller's side: every member, as before


def test_a_key_accounts_after_sales(team):
    from tests.aftersales.factories import completed_po, open_request

    a, b = team["a"], team["b"]
    _trade, po_a = completed_po(a, quantity=1)
    _trade, po_b = completed_po(b, quantity=1)
    Notification.objects.all().delete()
    request_a, request_b = open_request(a, po_a), open_request(b, po_b)
    org = a.supplier.organisation
    assert told(org, url__contains=request_a.number) == {team["kam"].pk, team["owner"].pk}
    assert told(org, url__contains=request_b.number) == {team["kam"].pk, team["owner"].pk, team["manager"].pk}


def test_a_manager_who_left_or_an_ended_partnership_falls_back_to_every_member(team):
    from suppliers.selectors.partnerships import supplier_recipient_ids

    a = team["a"]
    everyone = sorted([team["kam"].pk, team["owner"].pk, team["manager"].pk])
    assert supplier_recipient_ids(a.supplier.pk, a.reseller.pk) == sorted([team["kam"].pk, team["owner"].pk])
    team["kam"].is_active = False
    team["kam"].save(update_fields=["is_active"])
    assert supplier_recipient_ids(a.supplier.pk, a.reseller.pk) == sorted([team["owner"].pk, team["manager"].pk])
    team["kam"].is_active = True
    team["kam"].save(update_fields=["is_active"])
    Partnership.objects.filter(supplier=a.supplier, reseller=a.reseller).update(status=Partnership.Status.TERMINATED)
    assert supplier_recipient_ids(a.supplier.pk, a.reseller.pk) == everyone
