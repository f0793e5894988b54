"""Every rule code shown to users comes with its text: 「(R9)」 in a reason gets the rule's title
beside it and its full text as the tooltip; the rest is escaped."""

from django.template import Context, Template
from django.utils import translation

from compliance.rules import RULES


def render(value: str) -> str:
    return Template("{% load rules %}{{ value|with_rule_text }}").render(Context({"value": value}))


def test_a_rule_code_gets_its_title_and_text_and_the_rest_stays_escaped():
    with translation.override("en"):
        html = render("<b>Not paid</b> within 7 days (R9).")
    assert html.startswith("&lt;b&gt;Not paid&lt;/b&gt; within 7 days (")
    assert f'<abbr class="rule-code" title="{RULES["R9"].text}" data-rule="R9">R9 {RULES["R9"].title}</abbr>).' in html


def test_the_title_follows_the_language_and_unknown_codes_stay_as_they_are():
    with translation.override("zh-hant"):
        html = render("R2 與 R99")
        title = str(RULES["R2"].title)
    assert title != "True and complete supplier information" and f"R2 {title}</abbr>" in html
    assert html.endswith("與 R99")
