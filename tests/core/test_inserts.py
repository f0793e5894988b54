"""insert_rows writes what the ORM's INSERT writes (defaults, auto_now, JSON, foreign keys) and sets the keys."""

import pytest

from distribution.core.inserts import insert_rows
from distribution.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_rows_are_inserted_with_their_defaults_and_get_their_keys(django_assert_num_queries):
    rows = [AuditEvent(action="test.one", summary="第一", data={"a": [1, "二"]}), AuditEvent(action="test.two", summary="second")]
    with django_assert_num_queries(1):
        insert_rows(rows)
    assert all(row.pk for row in rows) and not rows[0]._state.adding
    stored = AuditEvent.objects.get(pk=rows[0].pk)
    assert (stored.action, stored.summary, stored.data) == ("test.one", "第一", {"a": [1, "二"]})
    assert stored.created_at is not None  # auto_now_add, as the ORM sets it
    assert AuditEvent.objects.get(pk=rows[1].pk).data == AuditEvent._meta.get_field("data").get_default()


def test_the_same_statement_serves_each_call_and_an_empty_list_runs_none(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows([]) == []
    first, second = AuditEvent(action="test.a"), AuditEvent(action="test.b")
    insert_rows([first])
    insert_rows([second])
    assert second.pk > first.pk
