"""Schemathesis hooks for the stateful run (loaded through ``SCHEMATHESIS_HOOKS``): most generated
purchase orders get a real SKU, price and address, so placing succeeds and the schema's links
(pay, cancel, confirm-receipt, detail) are followed with real numbers. Every third one is left
as generated, so the refusals stay fuzzed too."""

from __future__ import annotations

import itertools
import os
import uuid

import schemathesis

_calls = itertools.count()


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() != "POST" or not case.operation.path.endswith("/purchase-orders/") or next(_calls) % 3 == 2:
        return
    body = case.body if isinstance(case.body, dict) else {}
    case.body = {
        "consumer_order_ref": str(body.get("consumer_order_ref") or "ST-1")[:64].replace("\x00", "") or "ST-1",
        "shipping_address": {"recipient": "張三", "mobile": "13800138000", "province": "浙江省", "city": "杭州市",
                             "district": "西湖区", "street": "文三路100號"},
        "lines": [{"sku_id": int(os.environ["ST_SKU_ID"]), "quantity": 1, "retail_price": "99.00"}],
    }  # fmt: skip
    case.headers = {**(case.headers or {}), "Idempotency-Key": uuid.uuid4().hex}
