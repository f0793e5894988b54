"""Every catalog on the branch is complete in both Chinese scripts, free of fuzzy guesses, and compiled.

Django looks a msgid up in every catalog, so one missing or fuzzy entry shows raw English
somewhere on a 繁體中文 page; these tests name the entry that does.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOG_DIRS = [
    "locale",
    "accounts/locale",
    "settlement/locale",
    "suppliers/locale",
    "procurement/locale",
    "resellers/locale",
    "distribution/api/locale",
    "compliance/locale",
    "disputes/locale",
    "aftersales/locale",
    "distribution/ops/locale",
    "reports/locale",
]
LANGUAGES = ["zh_Hant", "zh_Hans"]


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(lines: list[str]) -> str:
    raw = "".join(re.match(r'^(?:\S+ )?"(.*)"$', line).group(1) for line in lines)
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), raw)


def parse_po(path: Path) -> list[dict]:
    """The live entries of a .po file (header and obsolete `#~` entries left out)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        flags = {f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")}
        fields: dict[str, list[str]] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) ", line)
            if match:
                key = match.group(1)
                fields[key] = [line]
            elif key:
                fields[key].append(line)
        values = {k: _unquote(v) for k, v in fields.items()}
        if values.get("msgid") == "" and "msgctxt" not in values:
            continue  # the header
        entries.append(
            {
                "msgid": values["msgid"],
                "msgctxt": values.get("msgctxt"),
                "msgstrs": [v for k, v in values.items() if k.startswith("msgstr")],
                "fuzzy": "fuzzy" in flags,
                "plural": "msgid_plural" in values,
            }
        )
    return entries


CATALOGS = [
    pytest.param(ROOT / base / lang / "LC_MESSAGES" / "django.po", id=f"{base}/{lang}") for base in CATALOG_DIRS for lang in LANGUAGES
]


@pytest.mark.parametrize("po", CATALOGS)
def test_no_entry_is_left_untranslated(po):
    missing = [e["msgid"] for e in parse_po(po) if not all(e["msgstrs"])]

    assert missing == []


@pytest.mark.parametrize("po", CATALOGS)
def test_no_entry_is_fuzzy(po):
    fuzzy = [e["msgid"] for e in parse_po(po) if e["fuzzy"]]

    assert fuzzy == []


@pytest.mark.parametrize("po", CATALOGS)
def test_the_compiled_catalog_holds_every_entry(po):
    mo = po.with_suffix(".mo")
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog

    def key(entry):
        msgid = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        return (msgid, 0) if entry["plural"] else msgid

    absent = [e["msgid"] for e in parse_po(po) if key(e) not in compiled]

    assert absent == [], f"{mo} is stale: run compilemessages"


def test_the_parser_sees_untranslated_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hant\\n"\n\n'
        'msgid "Wallet"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Messages"\nmsgstr "分頁"\n\n'
        'msgid "Long"\nmsgstr ""\n"長"\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )

    entries = {e["msgid"]: e for e in parse_po(po)}

    assert set(entries) == {"Wallet", "Messages", "Long"}
    assert entries["Wallet"]["msgstrs"] == [""]
    assert entries["Messages"]["fuzzy"] is True
    assert entries["Long"]["msgstrs"] == ["長"]


NAV = [
    "Wallet",
    "Products",
    "Tiers and terms",
    "Recruitment posts",
    "Applications",
    "Partnerships",
    "Messages",
    "Find suppliers",
    "Your suppliers",
    "Dashboard",
]


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
@pytest.mark.parametrize("msgid", NAV)
def test_navigation_links_are_translated(language, msgid):
    with translation.override(language):
        translated = translation.gettext(msgid)

    assert translated != msgid
    assert re.search(r"[\u4e00-\u9fff]", translated)
