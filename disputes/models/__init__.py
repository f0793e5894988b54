"""Disputes on shipped purchase orders (R15, R16).

Penalties are ``accounts.Penalty``, their evidence and rebates live in ``compliance``.
"""

from .disputes import Dispute, DisputeDecision, DisputeEvidence, DisputeMessage, DisputeOffer, Side

__all__ = ["Dispute", "DisputeDecision", "DisputeEvidence", "DisputeMessage", "DisputeOffer", "Side"]
