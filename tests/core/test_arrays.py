"""``pg_array``: one array literal that PostgreSQL reads back as the same values, whichever binding."""

from __future__ import annotations

import json
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from distribution.core.arrays import pg_array

TEXTS = ["plain", 'a "quoted" word', "back\\slash\\", "comma, {brace}", "NULL", "", " spaced ", "new\nline\ttab", "順豐速運 → 張三", None]
NUMBERS = [Decimal("50.00"), Decimal("-0.05"), None, Decimal("1E+2"), 7]
IDS = [1, None, 9_000_000_000_000]


def test_the_literal_quotes_each_text_element_and_writes_numbers_and_nulls_bare():
    assert pg_array([1, None, 2]) == "{1,NULL,2}"
    assert pg_array(['a"b', "c\\d", None, ""]) == '{"a\\"b","c\\\\d",NULL,""}'
    assert pg_array(x for x in [Decimal("1.50")]) == "{1.50}"
    assert pg_array([]) == "{}"


@pytest.mark.parametrize("value", [True, 1.5, b"x", object()])
def test_other_types_are_refused_not_guessed(value):
    with pytest.raises(TypeError):
        pg_array([value])


@pytest.mark.django_db
def test_postgresql_reads_back_the_same_values_with_client_side_binding():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[], %s::numeric[], %s::bigint[]", [pg_array(TEXTS), pg_array(NUMBERS), pg_array(IDS)])
        texts, numbers, ids = cursor.fetchone()
    assert texts == TEXTS
    assert numbers == [Decimal("50.00"), Decimal("-0.05"), None, Decimal("100"), Decimal("7")]
    assert ids == IDS


@pytest.mark.django_db
def test_postgresql_reads_back_the_same_values_with_server_side_binding():
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as conn:  # psycopg's own cursor: server-side binding
        texts, payloads = conn.execute(
            "SELECT %s::text[], %s::jsonb[]", [pg_array(TEXTS), pg_array(['{"number": "PO-1", "note": "a \\"b\\""}'])]
        ).fetchone()
    assert texts == TEXTS
    # Django's connection context reads jsonb as text (JSONField decodes it)
    assert [json.loads(p) if isinstance(p, str) else p for p in payloads] == [{"number": "PO-1", "note": 'a "b"'}]


def test_a_str_subclass_is_written_as_its_text():
    from django.utils.safestring import mark_safe

    assert pg_array([mark_safe('<b>"x"</b>')]) == '{"<b>\\"x\\"</b>"}'
