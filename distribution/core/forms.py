"""Form plumbing shared by every app: the one way forms are styled, and domain errors onto forms.

Styling: ``FORM_RENDERER`` is :class:`FormRenderer`, whose bound fields give every widget its
Bootstrap 5 class when rendered (``form-control``, ``form-select``, ``form-check-input``; a
size class such as ``form-control-sm`` set on the widget is kept) and ``is-invalid`` when the
field has errors. Forms and templates add no styling of their own.

Markup: the renderer's field template is ``includes/field.html`` (label, a red ``*`` on required
fields, widget, help, errors) and its form template ``includes/form.html``, both in
distribution/core/templates/ (the renderer's own engine reads app templates only); so
``{{ form }}``, ``{{ field.as_field_group }}`` and ``{% include "includes/field.html" with field=… %}``
render a field the one same way. ``col`` (a grid class) and ``small`` (compact label) are options
of the include.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

from .errors import DomainError


def bootstrap_class(widget: forms.Widget) -> str | None:
    """The Bootstrap 5 class of a widget (None for hidden inputs)."""
    if widget.is_hidden:
        return None
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # also SelectMultiple
        return "form-select"
    return "form-control"


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css = bootstrap_class(widget)
        if css is None:
            return attrs
        classes = (attrs.get("class") or widget.attrs.get("class", "")).split()
        if css not in classes:
            classes.insert(0, css)
        if self.errors and "is-invalid" not in classes:
            classes.append("is-invalid")
        attrs["class"] = " ".join(classes)
        return attrs


class FormRenderer(DjangoTemplates):
    """The project's form renderer (``FORM_RENDERER``): Django's templates, Bootstrap-styled fields."""

    bound_field_class = BootstrapBoundField
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's ``DomainError`` on the form: on its field when the form has one of that
    name, else as a non-field error at the top of the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
