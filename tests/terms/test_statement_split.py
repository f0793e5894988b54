"""Money shown as it is on the wallet statement: a purchase order's payment line shows its goods and shipping
(the reseller's statement), its settlement line the goods, shipping, the platform's commission and the net
(the supplier's), on the page and in the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from procurement import services
from tests.procurement.factories import make_trade, place
from tests.terms.factories import east_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled_po():
    """50.00 goods + 8.00 shipping (華東快遞 to 浙江), paid, shipped and confirmed; 5 % commission = 2.90, net 55.10."""
    trade = make_trade(funds="1000.00")
    east_template(trade.supplier)
    po = place(trade)
    po = services.purchase_order_pay(actor=trade.reseller_user, purchase_order=po)
    po = services.purchase_order_ship(actor=trade.supplier_user, purchase_order=po, carrier="SF", tracking_number="SF1")
    services.purchase_order_confirm_receipt(actor=trade.reseller_user, purchase_order=po)
    return trade, po


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def statement_csv(user) -> list[dict[str, str]]:
    response = client_of(user).get(reverse("settlement:statement_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_resellers_payment_line_shows_goods_and_shipping(settled_po):
    trade, po = settled_po
    html = client_of(trade.reseller_user).get(reverse("settlement:wallet")).content.decode()
    assert "statement-goods" in html and "50.00" in html and "8.00" in html
    [payment] = [row for row in statement_csv(trade.reseller_user) if row["Description"].startswith(po.number)]
    assert (payment["Goods"], payment["Shipping"], payment["Amount"]) == ("50.00", "8.00", "-58.00")
    assert "Platform commission" not in payment  # the supplier's business


def test_the_suppliers_settlement_line_shows_goods_shipping_commission_and_net(settled_po):
    trade, po = settled_po
    html = client_of(trade.supplier_user).get(reverse("settlement:wallet")).content.decode()
    assert "statement-goods" in html and "statement-split" in html
    [release] = [row for row in statement_csv(trade.supplier_user) if row["Description"].startswith(po.number)]
    assert (release["Goods"], release["Shipping"], release["Platform commission"], release["Net"]) == ("50.00", "8.00", "2.90", "55.10")
    assert release["Amount"] == "55.10"


def test_lines_without_a_purchase_order_leave_the_columns_empty(settled_po):
    trade, _po = settled_po
    [top_up] = [row for row in statement_csv(trade.reseller_user) if row["Amount"] == "1000.00"]
    assert (top_up["Goods"], top_up["Shipping"]) == ("", "")


def test_another_resellers_statement_shows_nothing_of_the_po(settled_po):
    _trade, po = settled_po
    other = make_trade(funds="10.00")
    html = client_of(other.reseller_user).get(reverse("settlement:wallet")).content.decode()
    assert po.number not in html
    assert all(po.number not in row["Description"] for row in statement_csv(other.reseller_user))
