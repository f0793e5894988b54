"""Durations for people: ``6 天，23 小時`` / ``6 days, 23 hours``, never ``6 days, 23:59:59``.

Django's ``timesince`` with the platform's words: the msgids are Django's own (so the
``timeuntil`` filter uses the same entries), kept in the project catalog (``locale/``) where
Chinese reads ``天`` rather than Django's ``日`` and joins with a Chinese comma.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils.timesince import timesince
from django.utils.translation import gettext_noop, ngettext_lazy

TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}
gettext_noop(", ")  # the joiner timesince translates; its Chinese entry lives in locale/

_BASE = datetime(2000, 1, 1, tzinfo=UTC)


def humanize_duration(value: timedelta | None, *, depth: int = 2) -> str:
    """``value`` in the active language, to its two largest units; ``""`` for ``None``."""
    if value is None:
        return ""
    end = _BASE + max(value, timedelta(0))
    return timesince(_BASE, end, depth=depth, time_strings=TIME_STRINGS)
