"""The suppliers' message catalogs are complete in both Chinese scripts and compiled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "suppliers" / "locale"


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_every_message_has_a_chinese_translation(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = [e for e in text.split("\n\n") if "\nmsgid " in f"\n{e}" and not e.lstrip().startswith("#~")]
    untranslated = [e for e in entries[1:] if re.search(r'^msgstr ""\s*$', e, re.M) and not re.search(r'^msgstr ""\n"', e, re.M)]
    assert untranslated == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hant", "審核通過並上架"), ("zh-hans", "审核通过并上架")],
)
def test_compiled_catalogs_are_in_use(language, expected):
    with translation.override(language):
        assert translation.gettext("Approved and listed") == expected
