"""Helpers for posting forms the way a browser does."""

from __future__ import annotations

from distribution.core.once import FIELD, new_token


def once(data: dict | None = None, **fields) -> dict:
    """``data`` with a fresh one-time form token, as a freshly rendered money/stock form sends it."""
    return {**(data or {}), **fields, FIELD: new_token()}
