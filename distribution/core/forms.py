"""Form plumbing shared by every app's views."""

from __future__ import annotations

from django import forms

from .errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's ``DomainError`` on the form: on its field when the form has one of that
    name, else as a non-field error at the top of the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
