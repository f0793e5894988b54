"""``{% load disputes %}{% dispute_actions po %}``: the dispute link for a purchase order page.

Shows "Open a dispute" to the reseller while the window is open, or a link to the open
dispute. Procurement's PO pages can include it; the rules stay in the services.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from accounts.models import Penalty
from disputes.selectors import dispute_counts

from ..selectors import open_dispute_for_po

register = template.Library()


@register.inclusion_tag("disputes/_po_dispute_actions.html", takes_context=True)
def dispute_actions(context, po):
    membership = getattr(context.get("request"), "membership", None)
    is_reseller = membership is not None and membership.organisation_id == po.reseller_id
    dispute = open_dispute_for_po(po.pk) if po.status == "disputed" else None
    can_open = is_reseller and po.status == "shipped" and po.dispute_until is not None and timezone.now() < po.dispute_until
    return {"po": po, "dispute": dispute, "can_open": can_open}


@register.inclusion_tag("disputes/_home_widget.html", takes_context=True)
def disputes_widget(context):
    """The home page card: disputes waiting on this organisation, and its compliance standing."""
    organisation = context.get("organisation")
    if organisation is None:
        return {"organisation": None}
    return {
        "organisation": organisation,
        "counts": dispute_counts(organisation),
        "penalties_in_force": Penalty.objects.in_force().filter(organisation=organisation).count(),
    }
