"""Admin building blocks shared by the apps."""

from __future__ import annotations

from django.contrib import admin, messages

from .errors import DomainError


class ReadOnlyAdminMixin:
    """View-only in admin (model admins and inlines): rows that change only through services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def run_on_each(modeladmin, request, queryset, call, done_message) -> None:
    """An admin action: ``call(row)`` (a service call) once per selected row, in primary-key order.

    A ``DomainError`` is shown as an error for that row and the others go on; then
    ``done_message`` (with ``%(count)s``, or ``%(n)s``) says how many succeeded.
    """
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            call(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message % {"count": done, "n": done}, messages.SUCCESS)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A view-only table of related rows (lines, transitions, messages) under an object in admin."""

    extra = 0
    can_delete = False
