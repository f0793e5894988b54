"""The API tests' ``world`` (a reseller partnered with a supplier, with keys) is used here too."""

from tests.api.conftest import world  # noqa: F401
