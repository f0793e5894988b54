"""Demo data of the suppliers app: ``profiles`` (the two demo companies), ``catalog``
(categories, tiers, terms, products) and ``partnerships`` (recruitment, applications,
partnerships, messages). ``seed`` is the catalog's, for callers that bring their own suppliers."""

from .catalog import seed  # noqa: F401
