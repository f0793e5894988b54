"""Writes for suppliers (one module per topic)."""

from . import messaging, partnerships  # noqa: F401
