"""The site speaks 繁體中文 by default and switches to 简体中文 and English."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def default_language(settings):
    """Undo the English default of tests/conftest.py: the real default is Traditional Chinese."""
    settings.LANGUAGE_CODE = "zh-hant"


@pytest.mark.django_db
def test_default_language_is_traditional_chinese(client, default_language):
    response = client.get("/")

    body = response.content.decode()
    assert '<html lang="zh-hant">' in body
    assert "分銷平台" in body
    assert "供應商註冊" in body and "分銷商註冊" in body


@pytest.mark.django_db
def test_signup_form_and_its_errors_are_in_traditional_chinese(client, default_language, agreement):
    response = client.post("/accounts/signup/supplier/", {"credit_code": "91330100000000001X"})

    body = response.content.decode()
    assert "統一社會信用代碼" in body
    assert "註冊前須同意用戶協定。" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "not_expected"),
    [("zh-hans", "供应商注册", "供應商註冊"), ("en", "Sign up as a supplier", "供應商註冊"), ("zh-hant", "供應商註冊", "供应商注册")],
)
def test_language_switcher_changes_the_language(client, default_language, language, expected, not_expected):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"}, follow=True)

    body = response.content.decode()
    assert expected in body
    assert not_expected not in body
    assert f'<option value="{language}" selected>' in body


@pytest.mark.django_db
def test_simplified_chinese_reaches_validation_messages(client, default_language, agreement):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    body = client.post("/accounts/signup/supplier/", {"credit_code": "91330100000000001X"}).content.decode()

    assert "统一社会信用代码的校验码不正确。" in body


def untranslated(po_path: Path) -> list[str]:
    """msgids whose msgstr is empty (the header excluded)."""
    lines = po_path.read_text(encoding="utf-8").splitlines()
    missing = []
    for i, line in enumerate(lines):
        if line == 'msgstr ""' and (i + 1 >= len(lines) or not lines[i + 1].startswith('"')):
            msgid_line = lines[i - 1]
            if msgid_line != 'msgid ""':
                missing.append(msgid_line)
    return missing


@pytest.mark.parametrize("base", ["locale", "accounts/locale"])
@pytest.mark.parametrize("lang", ["zh_Hant", "zh_Hans"])
def test_foundation_catalogs_are_translated_and_compiled(base, lang):
    po = ROOT / base / lang / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")

    assert untranslated(po) == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    assert mo.exists() and mo.stat().st_size > 1000
