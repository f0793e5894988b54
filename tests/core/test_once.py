"""One-time form tokens (distribution/core/once.py): a double click or a resubmit of a money/stock form
yields the first result, never a second purchase order (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from distribution.core import sweeps
from distribution.core.models import FormSubmission
from procurement.models import PurchaseOrder
from tests.concurrency import race
from tests.forms import once
from tests.procurement.factories import ADDRESS, make_trade

PLACE = "procurement:reseller_po_place"


def _place_data(trade, ref="TB-ONCE-1", **extra) -> dict:
    return {"sku": [trade.sku.pk], "quantity": ["1"], "retail_price": ["99.00"], "consumer_order_ref": ref,
            **{f"addr-{k}": v for k, v in ADDRESS.items()}, **extra}  # fmt: skip


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def trade(db):
    return make_trade(funds="1000.00", on_hand=50)


@pytest.fixture
def reseller_client(client, trade):
    client.force_login(trade.reseller_user)
    return client


@pytest.mark.django_db
def test_a_resubmitted_po_form_places_one_po_and_shows_the_first(reseller_client, trade):
    data = once(_place_data(trade))
    first = reseller_client.post(reverse(PLACE), data)
    again = reseller_client.post(reverse(PLACE), data, headers={"Accept-Language": "en"})

    po = PurchaseOrder.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == reverse("procurement:reseller_po_detail", args=[po.number])
    assert "This form was already sent; here is what it did." in _messages(again)
    trade.sku.refresh_from_db()
    assert trade.sku.reserved == 1


@pytest.mark.django_db
def test_a_post_without_a_valid_token_does_nothing_and_says_so(reseller_client, trade):
    for data in (_place_data(trade), {**_place_data(trade), "form_token": "made-up"}):
        response = reseller_client.post(reverse(PLACE), data, headers={"Accept-Language": "en"})
        assert response.status_code == 302 and response["Location"] == reverse(PLACE)
        assert "Nothing was done: the page was out of date. Check it and send the form again." in _messages(response)
    assert not PurchaseOrder.objects.exists()


@pytest.mark.django_db
def test_a_token_from_a_page_older_than_twelve_hours_is_refused(reseller_client, trade):
    data = once(_place_data(trade))
    with time_machine.travel(timezone.now() + timedelta(hours=12, minutes=1)):
        response = reseller_client.post(reverse(PLACE), data)
    assert response.status_code == 302 and not PurchaseOrder.objects.exists()


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_with_the_same_token(reseller_client, trade):
    data = once(_place_data(trade))
    refused = reseller_client.post(reverse(PLACE), {**data, "addr-mobile": "123"})
    assert refused.status_code == 422 and not FormSubmission.objects.exists()

    placed = reseller_client.post(reverse(PLACE), data)
    assert placed.status_code == 302 and PurchaseOrder.objects.count() == 1


@pytest.mark.django_db
def test_a_resubmitted_pay_answers_with_the_payment_not_an_error(reseller_client, trade):
    reseller_client.post(reverse(PLACE), once(_place_data(trade)))
    po = PurchaseOrder.objects.get()
    pay = once()
    reseller_client.post(reverse("procurement:reseller_po_pay", args=[po.number]), pay)
    again = reseller_client.post(reverse("procurement:reseller_po_pay", args=[po.number]), pay, headers={"Accept-Language": "en"})
    assert again["Location"] == reverse("procurement:reseller_po_detail", args=[po.number])
    shown = _messages(again)
    assert shown[-1] == "This form was already sent; here is what it did."
    assert not any("already paid" in m for m in shown)


@pytest.mark.django_db
def test_used_tokens_are_forgotten_after_thirteen_hours(reseller_client, trade):
    reseller_client.post(reverse(PLACE), once(_place_data(trade)))
    assert sweeps.run_sweep("form_submissions", now=timezone.now() + timedelta(hours=12)).acted == []
    assert len(sweeps.run_sweep("form_submissions", now=timezone.now() + timedelta(hours=13, minutes=1)).acted) == 1
    assert not FormSubmission.objects.exists()


def _post_at_once(trade, payloads: list[dict]) -> list[int]:
    """Each payload posted by its own client (own connection) in its own thread, released together."""
    def post(data):
        client = Client()
        client.force_login(trade.reseller_user)
        return lambda: client.post(reverse(PLACE), data).status_code

    outcomes = race([post(data) for data in payloads])
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return sorted(o.value for o in outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_racing_posts_of_one_form_place_one_po(trade):
    data = once(_place_data(trade))
    statuses = _post_at_once(trade, [data, data])
    assert statuses == [302, 302]
    assert PurchaseOrder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_negative_control_two_racing_posts_of_two_renders_place_two_pos(trade):
    statuses = _post_at_once(trade, [once(_place_data(trade)), once(_place_data(trade))])
    assert statuses == [302, 302]
    assert PurchaseOrder.objects.count() == 2


@pytest.mark.django_db
def test_a_po_for_a_consumer_order_already_ordered_asks_for_confirmation_first(reseller_client, trade):
    first = reseller_client.post(reverse(PLACE), once(_place_data(trade, ref="TB-DUP")))
    po = PurchaseOrder.objects.get()
    # when the reseller places another PO for the same consumer order
    asked = reseller_client.post(reverse(PLACE), once(_place_data(trade, ref="TB-DUP")), headers={"Accept-Language": "en"})
    # then nothing is placed yet and the page names the earlier PO, with a button to go on
    assert first.status_code == 302 and asked.status_code == 409
    page = asked.content.decode()
    assert f"You already placed {po.number} for consumer order TB-DUP." in page
    assert 'name="confirm_duplicate" value="1"' in page
    assert PurchaseOrder.objects.count() == 1
    # when they confirm, the second PO is placed
    placed = reseller_client.post(reverse(PLACE), once(_place_data(trade, ref="TB-DUP"), confirm_duplicate="1"))
    assert placed.status_code == 302 and PurchaseOrder.objects.count() == 2
