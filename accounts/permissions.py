"""The one manager check of the services: owners and managers (``MANAGING_ROLES``) change
prices, terms, partnerships, money and integrations; staff members only read and process orders.

Views decide page access with the mixins of ``distribution.core.permissions`` (which ask
``Membership.can_manage``); services re-check with :func:`require_manager`, so a call from
anywhere (view, API, admin, task) obeys the same rule.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from distribution.core.errors import PermissionDenied
from distribution.core.permissions import SYSTEM_ACTOR

from .models import Membership


def require_manager(actor: Any, organisation: Any, *, platform_may: bool = False) -> Membership | None:
    """``actor`` is an owner or manager of ``organisation`` (an ``Organisation``, a profile sharing
    its primary key, or the id); returns the membership, else raises ``PermissionDenied``.

    ``platform_may``: platform staff and the platform itself may act too (money moved by staff in
    admin or by a sweep); they get ``None`` back. The platform must say so with
    ``SYSTEM_ACTOR``: a missing actor (``None``) is refused, never taken for the system.
    """
    if platform_may and (actor is SYSTEM_ACTOR or (actor is not None and getattr(actor, "is_staff", False))):
        return None
    organisation_id = getattr(organisation, "pk", organisation)
    membership = getattr(actor, "membership", None) if getattr(actor, "pk", None) else None
    if membership is None or membership.organisation_id != organisation_id:
        raise PermissionDenied(_("You are not a member of this organisation."))
    if not membership.can_manage:
        raise PermissionDenied(_("Only the owner or a manager of the organisation may do this."))
    return membership
