"""Admin building blocks shared by the apps."""

from __future__ import annotations

from django.contrib import messages

from .errors import DomainError


class ReadOnlyAdminMixin:
    """View-only in admin (model admins and inlines): rows that change only through services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def run_on_each(modeladmin, request, queryset, func, done_message, **kwargs) -> None:
    """An admin action calling the service ``func`` once per selected row (in primary-key order).

    The row is passed as ``modeladmin.service_arg``; a ``DomainError`` is shown as a warning
    for that row and the others go on.
    """
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            func(actor=request.user, **{modeladmin.service_arg: obj}, **kwargs)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.WARNING)
    if done:
        modeladmin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
