"""Shipping-template arithmetic and price breaks at their edges (suppliers/terms.py; no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from distribution.core.errors import ValidationFailed
from suppliers.terms import OrderTerms, RegionGroup, Template, line_unit_price, template_shipping

D = Decimal
ZHEJIANG, SHANGHAI, XINJIANG, GUANGDONG = "330000", "310000", "650000", "440000"

BY_WEIGHT = Template(
    name="華東快遞",
    basis="weight",
    free_above=D("299.00"),
    unserved=(XINJIANG,),
    groups=(
        RegionGroup((ZHEJIANG, SHANGHAI), first_units=1000, first_fee=D("8.00"), additional_units=500, additional_fee=D("2.00")),
        RegionGroup((), first_units=1000, first_fee=D("15.00"), additional_units=1000, additional_fee=D("5.00")),
    ),
)


def ship(template=BY_WEIGHT, *, province=ZHEJIANG, pieces=1, grams=0, goods="100.00"):
    return template_shipping(template, province=province, pieces=pieces, grams=grams, goods=D(goods))


@pytest.mark.parametrize(
    ("grams", "fee", "steps"),
    [
        (0, "8.00", 0),  # nothing weighed: the first weight still costs its fee
        (1, "8.00", 0),
        (1000, "8.00", 0),  # exactly the first weight
        (1001, "10.00", 1),  # one gram over: one additional step started
        (1500, "10.00", 1),
        (1501, "12.00", 2),
    ],
)
def test_by_weight_the_first_weight_and_each_started_step(grams, fee, steps):
    breakdown = ship(grams=grams)
    assert (breakdown["amount"], breakdown["additional_steps"], breakdown["units"]) == (fee, steps, grams)
    assert breakdown["free"] is False


def test_the_rest_of_the_country_takes_the_group_without_provinces():
    breakdown = ship(province=GUANGDONG, grams=2500)
    assert breakdown["amount"] == "25.00"  # 15 + 2 × 5


@pytest.mark.parametrize(("goods", "amount", "free"), [("298.99", "8.00", False), ("299.00", "0.00", True), ("299.01", "0.00", True)])
def test_free_shipping_from_exactly_the_amount(goods, amount, free):
    breakdown = ship(goods=goods, grams=800)
    assert (breakdown["amount"], breakdown["free"], breakdown["charged"]) == (amount, free, "8.00")


def test_a_region_not_served_is_refused_naming_the_province():
    with pytest.raises(ValidationFailed) as exc:
        ship(province=XINJIANG)
    assert exc.value.field == "province"
    assert "新疆" in exc.value.message


def test_a_province_in_no_group_is_not_served_when_there_is_no_rest_of_country_group():
    only_east = Template(name="江浙滬", basis="piece", free_above=None, groups=BY_WEIGHT.groups[:1])
    assert ship(only_east, province=SHANGHAI, pieces=1)["amount"] == "8.00"
    with pytest.raises(ValidationFailed) as exc:
        ship(only_east, province=GUANGDONG)
    assert exc.value.field == "province"


@pytest.mark.parametrize(("pieces", "fee"), [(1, "6.00"), (2, "6.00"), (3, "9.00"), (4, "9.00"), (5, "12.00")])
def test_by_piece_first_two_then_each_two(pieces, fee):
    by_piece = Template(
        name="件數",
        basis="piece",
        free_above=None,
        groups=(RegionGroup((), first_units=2, first_fee=D("6"), additional_units=2, additional_fee=D("3")),),
    )
    assert ship(by_piece, pieces=pieces, grams=99999)["amount"] == fee


BREAKS = [(10, D("45.00")), (50, D("40.00"))]


@pytest.mark.parametrize(
    ("quantity", "price", "source"),
    [(1, "50.00", "tier"), (9, "50.00", "tier"), (10, "45.00", "break"), (49, "45.00", "break"), (50, "40.00", "break")],
)
def test_price_breaks_at_the_break_quantities(quantity, price, source):
    assert line_unit_price(supply_price=D("50.00"), discount=D("0"), quantity=quantity, breaks=BREAKS, override=None) == (D(price), source)


def test_the_tier_discount_applies_to_the_break_price_and_an_override_wins():
    assert line_unit_price(supply_price=D("50.00"), discount=D("10"), quantity=10, breaks=BREAKS, override=None) == (D("40.50"), "break")
    assert line_unit_price(supply_price=D("50.00"), discount=D("10"), quantity=50, breaks=BREAKS, override=D("38.00")) == (
        D("38.00"),
        "override",
    )


class _Sku:
    def __init__(self, pk=1, code="A1", price="50.00", minimum=1, multiple=1, grams=300):
        self.pk, self.code, self.supply_price_amount = pk, code, D(price)
        self.min_order_quantity, self.order_multiple, self.weight_grams = minimum, multiple, grams


def test_order_terms_name_the_field_of_each_refusal():
    terms = OrderTerms(minimum_order=D("1000.00"), regions=(ZHEJIANG, SHANGHAI), flat_fee=D("12.00"))
    sku = _Sku(minimum=6, multiple=3)
    with pytest.raises(ValidationFailed) as exc:
        terms.quote(lines=[(0, sku, 6)], discount=D("0"), province=XINJIANG)
    assert exc.value.field == "province"
    with pytest.raises(ValidationFailed) as exc:
        terms.quote(lines=[(0, _Sku(pk=2), 1), (1, sku, 3)], discount=D("0"), province=ZHEJIANG)
    assert exc.value.field == "lines.1.quantity"
    with pytest.raises(ValidationFailed) as exc:
        terms.quote(lines=[(0, sku, 7)], discount=D("0"), province=ZHEJIANG)
    assert exc.value.field == "lines.0.quantity"
    with pytest.raises(ValidationFailed) as exc:
        terms.quote(lines=[(0, sku, 9)], discount=D("0"), province=ZHEJIANG)  # 450.00 < 1,000.00
    assert exc.value.field == "lines"
    quote = terms.quote(lines=[(0, sku, 21)], discount=D("0"), province=SHANGHAI)  # exactly 1,050.00
    assert (quote.goods, quote.shipping, quote.total, quote.breakdown) == (
        D("1050.00"),
        D("12.00"),
        D("1062.00"),
        {"method": "flat", "amount": "12.00"},
    )


def test_the_minimum_order_is_met_at_exactly_the_amount():
    terms = OrderTerms(minimum_order=D("100.00"))
    assert terms.quote(lines=[(0, _Sku(), 2)], discount=D("0"), province=GUANGDONG).goods == D("100.00")
    with pytest.raises(ValidationFailed):
        terms.quote(lines=[(0, _Sku(price="49.99"), 2)], discount=D("0"), province=GUANGDONG)
