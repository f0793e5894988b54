"""``{{ field|bootstrap }}``: render a bound field's widget with Bootstrap's classes."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def bootstrap(bound_field):
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    if css not in existing.split():
        existing = f"{existing} {css}".strip()
    if bound_field.errors:
        existing += " is-invalid"
    return bound_field.as_widget(attrs={"class": existing})
