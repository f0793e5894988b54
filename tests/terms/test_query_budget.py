"""The placement budget of issue 12 (12 statements) holds with a shipping template, price breaks, an override
and product lines: all of it is read in the one guard query."""

from __future__ import annotations

import pytest

from suppliers.models import PriceOverride, ProductLine
from tests.api.test_query_budgets import _warm_up, at_most  # noqa: F401 (the budget fixture)
from tests.api.test_query_budgets import place as budget_place
from tests.terms.factories import D, breaks, east_template

pytestmark = pytest.mark.django_db(transaction=True)


def test_placing_with_every_term_takes_at_most_12_statements(world, at_most):  # noqa: F811
    east_template(world["supplier"])
    breaks(world["sku"], (2, "48.00"), (10, "45.00"))
    PriceOverride.objects.create(supplier=world["supplier"], sku=world["sku"], reseller=world["other_reseller"], unit_price=D("30.00"))
    line = ProductLine.objects.create(supplier=world["supplier"], name="VIP")
    line.products.add(world["sku"].product)
    line.tiers.add(world["tier"])
    _warm_up(world)
    with at_most(12):
        response = budget_place(world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lines"][0]["unit_price"] == "43.20"  # the 48.00 break for 2, less the tier's 10 %
    assert body["shipping_breakdown"]["method"] == "template"
