"""Staff admin of the suppliers app: company review, the catalog and moderation, partnerships."""

from . import catalog, partnerships, profile  # noqa: F401
