"""The store list hears supplier changes as domain events, and only the ones its entries depend on."""

from __future__ import annotations

import pytest

from resellers.subscribers import store_list_changes


@pytest.mark.parametrize(
    ("changes", "heard"),
    [
        (["reserved"], set()),  # a PO placed, closed or refunded
        (["on_hand", "reserved"], set()),  # a PO shipped: available did not move
        (["delisted"], set()),  # arrives as product.delisted
        (["on_hand"], {"on_hand"}),  # the supplier's stock adjustment
        (["min_retail_amount", "supply_price_amount"], {"min_retail_amount", "supply_price_amount"}),
        (["is_active"], {"is_active"}),
    ],
)
def test_the_store_list_reacts_only_to_what_its_entries_depend_on(changes, heard):
    assert store_list_changes(changes) == heard
