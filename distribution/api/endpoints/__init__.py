"""Endpoint modules: thin adapters that validate, call one service or selector, and shape the answer."""
