"""Disputes on shipped purchase orders (R15, R16), penalties' evidence (R6, R17), rebates (R17).

Penalties themselves are ``accounts.Penalty``; rewards paid are ``settlement.Reward``.
"""

from .compliance import FindingPenalty, FindingReview, PenaltyEvidence, Violation
from .disputes import Dispute, DisputeDecision, DisputeEvidence, DisputeMessage, DisputeOffer, Side
from .rebates import ProposedRebate, RebateRule

__all__ = [
    "Dispute",
    "DisputeDecision",
    "DisputeEvidence",
    "DisputeMessage",
    "DisputeOffer",
    "Side",
    "FindingPenalty",
    "FindingReview",
    "PenaltyEvidence",
    "ProposedRebate",
    "RebateRule",
    "Violation",
]
