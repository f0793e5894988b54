"""``insert_rows``: Django's INSERT of model instances, with the statement compiled once.

The ORM rebuilds an INSERT's SQL on every ``save()``/``bulk_create()`` (≈ 0.2–0.4 ms of CPU per
statement, more than PostgreSQL spends running it on the placing path). Here the SQL text is
built once per (model, row count) from the model's concrete fields, exactly the columns
``bulk_create`` writes; each call only prepares the values (``pre_save`` — so ``auto_now_add``
and ``default`` work as in the ORM — and ``get_db_prep_save``), runs one statement and sets
the primary keys. No ``pre_save``/``post_save`` signals are sent, like ``bulk_create``: use it
only for models that have no receivers (procurement's orders and lines).

``together()``: the ``insert_rows`` (and ``write``) calls of a block become ONE statement when the
block ends (data-modifying CTEs), one round trip and one statement's overhead instead of one per
call. The parts of one statement cannot see each other's rows, so a row that a later part's
trigger or check reads (the PO its lines and transition name) is written ``at_once``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any

from django.db import connections, models
from django.db.models.expressions import DatabaseDefault

# Fields whose ``pre_save`` only reads the attribute and whose ``get_db_prep_save`` returns a value
# of these exact types unchanged: such a value is sent as it is (the ORM's two calls per value cost
# more than the rest of an INSERT's preparation). Exact classes only; anything else takes the ORM's path.
_TEXT, _INT = (str, type(None)), (int, type(None))
_PLAIN_TYPES: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: _TEXT,
    models.TextField: _TEXT,
    models.IntegerField: _INT,
    models.BigIntegerField: _INT,
    models.SmallIntegerField: _INT,
    models.PositiveIntegerField: _INT,
    models.PositiveSmallIntegerField: _INT,
    models.PositiveBigIntegerField: _INT,
    models.BooleanField: (bool, type(None)),
}
_MISSING = object()  # an attribute not set on the instance: the ORM's path
_INT_KEYS = (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField)


def _plain_types(field: models.Field) -> tuple[type, ...]:
    if type(field) is models.ForeignKey:
        return _INT if type(field.target_field) in _INT_KEYS else ()
    return _PLAIN_TYPES.get(type(field), ())


@cache
def _statement(model: type[models.Model], count: int, using: str) -> tuple[str, tuple[models.Field, ...]]:
    connection = connections[using]
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not (f.primary_key and f.db_returning))
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 (names from the model)
        f"VALUES {', '.join([row] * count)} RETURNING {qn(meta.pk.column)}"
    )
    return sql, fields


@cache
def _preparers(model: type[models.Model], using: str) -> tuple[tuple[models.Field, str, tuple[type, ...]], ...]:
    """Per column of ``_statement``: the field, its attname, and the value types it may send as they are."""
    _sql, fields = _statement(model, 1, using)
    return tuple((f, f.attname, _plain_types(f)) for f in fields)


@dataclass
class _Part:
    sql: str
    params: list[Any]
    objs: list[models.Model] = dataclass_field(default_factory=list)  # rows whose keys the part RETURNs
    key: str = ""  # their primary key's column
    then: Callable[[list[models.Model]], None] | None = None


# The parts buffered by ``together()`` (None: outside one, each call runs at once).
_buffer: ContextVar[list[_Part] | None] = ContextVar("inserts_together", default=None)


@contextmanager
def together(*, using: str = "default") -> Iterator[None]:
    """Run the block's ``insert_rows`` and ``write`` calls as ONE statement when it ends (or at ``flush()``).

    Inside, ``insert_rows`` returns the instances at once, their primary keys are set when the
    statement runs (code that needs them calls ``flush()`` first). A nested block joins the outer
    one. If the block raises, its parts are dropped (the transaction rolls back around them).
    """
    if _buffer.get() is not None:
        yield
        return
    token = _buffer.set([])
    try:
        yield
        flush(using=using)
    finally:
        _buffer.reset(token)


@contextmanager
def at_once() -> Iterator[None]:
    """Inside ``together()``: the block's calls run at once (e.g. work in a savepoint that may roll back)."""
    token = _buffer.set(None)
    try:
        yield
    finally:
        _buffer.reset(token)


def flush(*, using: str = "default") -> None:
    """Run what ``together()`` buffered so far, as one statement."""
    parts = _buffer.get()
    if not parts:
        return
    pending, parts[:] = list(parts), []
    if len(pending) == 1:
        sql, params = pending[0].sql, pending[0].params
    else:
        ctes = ", ".join(f"w{i} AS ({part.sql})" for i, part in enumerate(pending))
        qn = connections[using].ops.quote_name
        # only the parts' own SQL and quoted column names are joined in; every value is a parameter
        keyed = [f"SELECT {i} AS part, {qn(part.key)} AS pk FROM w{i}" for i, part in enumerate(pending) if part.objs]  # noqa: S608
        sql = f"WITH {ctes} " + (" UNION ALL ".join(keyed) if keyed else "SELECT NULL, NULL WHERE false")
        params = [value for part in pending for value in part.params]
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
    if len(pending) == 1:
        rows = [(0, row[0]) for row in rows] if pending[0].objs else []
    ids: dict[int, list[Any]] = {}
    for part, pk in rows:
        ids.setdefault(part, []).append(pk)
    for i, part in enumerate(pending):
        if part.objs:
            _set_keys(part.objs, ids.get(i, []), using)
        if part.then is not None:
            part.then(part.objs)


def write(sql: str, params: list[Any], *, using: str = "default") -> None:
    """A data-modifying statement whose result nobody reads: buffered inside ``together()``, else run now."""
    parts = _buffer.get()
    if parts is not None:
        parts.append(_Part(sql, list(params)))
        return
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def _set_keys(objs: list[models.Model], ids: list[Any], using: str) -> None:
    pk = objs[0]._meta.pk
    for obj, value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, value)
        obj._state.adding = False
        obj._state.db = using


def insert_rows(
    objs: list[models.Model],
    *,
    using: str = "default",
    at_once: bool = False,
    then: Callable[[list[models.Model]], None] | None = None,
) -> list[models.Model]:
    """INSERT ``objs`` (all of one model) in one statement; sets their primary keys; returns them.

    Inside ``together()`` the statement is a part of the block's one statement, unless ``at_once``;
    ``then(objs)`` runs once the rows are written and their keys set (e.g. announcing them).
    """
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    sql, _fields = _statement(model, len(objs), using)
    preparers = _preparers(model, using)
    params = []
    for obj in objs:
        values = obj.__dict__
        for field, attname, plain in preparers:
            if type(value := values.get(attname, _MISSING)) in plain:
                params.append(value)
                continue
            value = field.pre_save(obj, True)
            # a field left to its db_default (the tenant columns, filled by a trigger): NULL here
            params.append(None if isinstance(value, DatabaseDefault) else field.get_db_prep_save(value, connection=connection))
    parts = _buffer.get()
    if parts is not None and not at_once:
        parts.append(_Part(sql, params, objs, model._meta.pk.column, then))
        return objs
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    _set_keys(objs, [value for (value,) in ids], using)
    if then is not None:
        then(objs)
    return objs
