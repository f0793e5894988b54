"""``pg_array``: a Python list as one PostgreSQL array literal, for the batch services' ``unnest(%s::bigint[])``.

With client-side binding (Django's default for psycopg) a list parameter is quoted element by
element in Python: type lookups, a dumper and, for text, a regex substitution per element. For
the PO timers' batches (arrays of 1,000–3,000 ids, numbers, amounts and JSON payloads, ~30 per
batch) that was about a third of the sweep's CPU (benchmarks/README.md §11b). The same values as
one string (``{1,2,3}``, ``{"a","b \\"c\\""}``) built with ``str.join``/``str.replace`` are
quoted once; the statement's cast (``%s::bigint[]``, ``%s::text[]``, ``%s::numeric[]``,
``%s::jsonb[]``) parses it in PostgreSQL, with server-side binding too.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _null(_value: None) -> str:
    return "NULL"


_ELEMENT = {int: str, Decimal: str, str: _quoted, type(None): _null}


def _element(value: object) -> str:
    """One element of another type: a subclass of str, int or Decimal (a bool is refused)."""
    for kind in (str, Decimal, int):
        if isinstance(value, kind) and not isinstance(value, bool):
            return _ELEMENT[kind](kind(value))
    raise TypeError(f"pg_array takes str, int, Decimal or None, not {type(value).__name__}")


def pg_array(values: Iterable[object]) -> str:
    """The array literal of ``values`` (str, int, Decimal or None each); cast it in the SQL (``%s::bigint[]``)."""
    values = list(values)
    try:  # looked up by exact type: the common case
        return "{" + ",".join([_ELEMENT[type(value)](value) for value in values]) + "}"
    except KeyError:
        return "{" + ",".join([_ELEMENT.get(type(value), _element)(value) for value in values]) + "}"
