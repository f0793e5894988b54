"""The placing answer is sent as the view built it (no schema pass): it must already be the schema's shape."""

from __future__ import annotations

import json

from distribution.api.schemas import PurchaseOrderPlacedOut
from tests.api.test_endpoints_purchase_orders import order_body, place


def test_the_answer_is_what_the_schema_would_send_and_the_replay_sends_the_same(world):
    first = place(world, order_body(world["sku"], ref="TB-SHAPE"))
    place(world, order_body(world["sku"], ref="TB-SHAPE"), key="idem-2")  # a duplicate: duplicate_of is not empty
    third = place(world, order_body(world["sku"], ref="TB-SHAPE"), key="idem-3")
    replay = place(world, order_body(world["sku"], ref="TB-SHAPE"), key="idem-3")
    for response in (first, third, replay):
        assert response.status_code == 201, response.content
        assert response["Content-Type"] == "application/json; charset=utf-8"
    sent = json.loads(third.content)
    assert len(sent["duplicate_of"]) == 2
    through_schema = json.loads(json.dumps(PurchaseOrderPlacedOut.model_validate(sent).model_dump(), default=str))
    assert sent == through_schema
    assert list(sent) == list(through_schema)  # the schema's field order too
    assert json.loads(replay.content) == sent
