"""Template tags for the partnership and messaging pages (the nav's unread count)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

from ..models import Partnership, PartnershipApplication
from ..selectors.partnerships import unread_thread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_threads(context) -> int:
    """Unread thread count of the asking organisation, once per request."""
    request = context.get("request")
    organisation = context.get("organisation")
    if request is None or organisation is None:
        return 0
    cached = getattr(request, "_unread_threads", None)
    if cached is None:
        cached = unread_thread_count(organisation)
        request._unread_threads = cached
    return cached


@register.simple_tag(takes_context=True)
def pending_applications(context) -> int:
    """Pending applications of the asking supplier (what needs action), for the nav."""
    organisation = context.get("organisation")
    if organisation is None or organisation.kind != "supplier":
        return 0

    return PartnershipApplication.objects.filter(supplier_id=organisation.pk, status=PartnershipApplication.Status.PENDING).count()


@register.simple_tag(takes_context=True)
def partnership_summary(context) -> dict[str, int]:
    """Counts for the home dashboard widget: partnerships by status (one query)."""
    organisation = context.get("organisation")
    if organisation is None:
        return {}
    from django.db.models import Count

    field = "supplier_id" if organisation.kind == "supplier" else "reseller_id"
    rows = Partnership.objects.filter(**{field: organisation.pk}).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


@register.filter
def duration(value: timedelta | None) -> str:
    """A short human duration: ``3 h 20 min``, ``2 d 4 h``, ``45 min``."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    return _("%(m)d min") % {"m": max(mins, 1) if value.total_seconds() > 0 else 0}
