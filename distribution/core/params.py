"""Reading ids and whole numbers from query strings and form posts: malformed input is "none", never a 500."""

from __future__ import annotations

from typing import Any

# The range of PostgreSQL's ``integer`` (Django's IntegerField / PositiveIntegerField columns).
MAX_DB_INT = 2_147_483_647
# The range of ``bigint`` (BigAutoField primary keys).
MAX_DB_BIGINT = 9_223_372_036_854_775_807


def parse_id(value: Any) -> int | None:
    """A positive primary key from ``value`` (``"42"`` → 42), or None for anything else (``"abc"``, ``"-1"``, ``""``, too big)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_DB_BIGINT else None
