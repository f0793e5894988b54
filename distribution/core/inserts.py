"""``insert_rows``: Django's INSERT of model instances, with the statement compiled once.

The ORM rebuilds an INSERT's SQL on every ``save()``/``bulk_create()`` (≈ 0.2–0.4 ms of CPU per
statement, more than PostgreSQL spends running it on the placing path). Here the SQL text is
built once per (model, row count) from the model's concrete fields, exactly the columns
``bulk_create`` writes; each call only prepares the values (``pre_save`` — so ``auto_now_add``
and ``default`` work as in the ORM — and ``get_db_prep_save``), runs one statement and sets
the primary keys. No ``pre_save``/``post_save`` signals are sent, like ``bulk_create``: use it
only for models that have no receivers (procurement's orders and lines).
"""

from __future__ import annotations

from functools import cache

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


def insert_rows(objs: list[models.Model], *, using: str = "default") -> list[models.Model]:
    """INSERT ``objs`` (all of one model) in one statement; sets their primary keys; returns them."""
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = cursor.fetchall()
    pk = model._meta.pk
    for obj, (value,) in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, value)
        obj._state.adding = False
        obj._state.db = using
    return objs
