"""Rule codes (R1–R17) shown to users come with their text.

Messages such as 「Not paid within 7 days (R9).」 name a rule by its code; on a page, the
:func:`distribution.core.templatetags.rules.with_rule_text` filter puts the rule's title beside the
code and its full text in the tooltip. The catalogue lives in a higher layer (``compliance.rules``),
which names it here by dotted path at start-up (``register``), so core imports nothing above it.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.module_loading import import_string

RULE_CODE = re.compile(r"\bR(1[0-7]|[1-9])\b")
_catalogue_paths: list[str] = []


def register(dotted_path: str) -> None:
    """Name a ``{code: rule}`` mapping whose rules have ``title`` and ``text`` (called from an app's ``ready``)."""
    if dotted_path not in _catalogue_paths:
        _catalogue_paths.append(dotted_path)


def rule(code: str) -> Any | None:
    """The registered rule with ``code`` (``"R9"``), or None."""
    for path in _catalogue_paths:
        found = import_string(path).get(code)
        if found is not None:
            return found
    return None
