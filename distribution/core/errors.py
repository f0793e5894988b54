"""Domain errors: the only exceptions views and API handlers catch.

Each carries a user-safe, translated message and a stable ``code`` for the API.
Anything else that escapes a service is a bug and should be loud.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the platform refused the action. ``message`` is safe to show."""

    code = "domain_error"
    status = 422

    def __init__(self, message: str | None = None, *, code: str | None = None, field: str | None = None) -> None:
        self.message = str(message) if message is not None else str(self.default_message)
        if code is not None:
            self.code = code
        self.field = field
        super().__init__(self.message)

    default_message = _("This action is not allowed.")


class InvalidState(DomainError):
    """The object is not in a state that allows the action (409)."""

    code = "invalid_state"
    status = 409
    default_message = _("This action is not possible in the current state.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You may not do this.")


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422
    default_message = _("Some fields are not valid.")
