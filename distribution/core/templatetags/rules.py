"""``{{ text|with_rule_text }}``: every rule code in ``text`` gets its title and, as a tooltip, its text
(see distribution/core/rule_text.py). The rest of ``text`` is escaped as usual."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from distribution.core import rule_text

register = template.Library()


@register.filter(needs_autoescape=True)
def with_rule_text(value, autoescape=True):
    text = str(value or "")
    escape = conditional_escape if autoescape else (lambda s: s)
    out: list[str] = []
    last = 0
    for match in rule_text.RULE_CODE.finditer(text):
        found = rule_text.rule(match.group(0))
        if found is None:
            continue
        out.append(str(escape(text[last : match.start()])))
        out.append(
            format_html(
                '<abbr class="rule-code" title="{}" data-rule="{}">{} {}</abbr>',
                found.text,
                match.group(0),
                match.group(0),
                found.title,
            )
        )
        last = match.end()
    out.append(str(escape(text[last:])))
    return mark_safe("".join(out))  # noqa: S308 (every piece is escaped above)
