"""Admin building blocks shared by the apps."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """View-only in admin (model admins and inlines): rows that change only through services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
