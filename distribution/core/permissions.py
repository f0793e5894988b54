"""View mixins that check who is asking: organisation kind and member role.

``request.membership`` is set by ``accounts.middleware.OrganisationMiddleware``.
Objects of another organisation are answered with 404 by the selectors (they
filter by the asking organisation), so these mixins only decide page access.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class _SystemActor:
    """The platform itself (timers, data migrations, scripts) acting where a service needs an ``actor``.

    Services that check who may act accept it explicitly; ``actor=None`` is refused there, so a
    forgotten actor never passes as "allowed". ``audit()`` records it as no user (``pk`` is None).
    """

    pk = None
    is_staff = False
    is_authenticated = False

    def __repr__(self) -> str:
        return "SYSTEM_ACTOR"


SYSTEM_ACTOR = _SystemActor()


class OrganisationMemberMixin(LoginRequiredMixin):
    """The user belongs to an organisation of ``organisation_kind``; with ``managers_only`` they
    must be an owner or manager (``Membership.can_manage``, i.e. ``accounts.models.MANAGING_ROLES``),
    with ``owner_only`` the owner."""

    organisation_kind: str | None = None  # "supplier" / "reseller" / None for either
    managers_only = False
    owner_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = getattr(request, "membership", None)
        if not membership:
            raise PermissionDenied(_("You do not belong to an organisation."))
        if self.organisation_kind and membership.organisation.kind != self.organisation_kind:
            raise PermissionDenied(_("This page is for another kind of organisation."))
        if (self.managers_only and not membership.can_manage) or (self.owner_only and not membership.is_owner):
            raise PermissionDenied(_("Your role does not allow this."))
        self.membership = membership
        self.organisation = membership.organisation
        return super().dispatch(request, *args, **kwargs)


class SupplierMemberMixin(OrganisationMemberMixin):
    organisation_kind = "supplier"


class SupplierManagerMixin(SupplierMemberMixin):
    managers_only = True


class ResellerMemberMixin(OrganisationMemberMixin):
    organisation_kind = "reseller"


class ResellerManagerMixin(ResellerMemberMixin):
    managers_only = True


class OwnerOrManagerMixin(OrganisationMemberMixin):
    """Either kind; only owners and managers (prices, terms, partnerships)."""

    managers_only = True


class OrganisationOwnerMixin(OrganisationMemberMixin):
    """Either kind; only the owner (members, roles, invitations)."""

    owner_only = True

