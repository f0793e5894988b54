"""Compliance (R6, R17): penalties' evidence and staff's violation workplace, penalised
inspection findings, monthly rebate rules and the rebates they propose.

Penalties themselves are ``accounts.Penalty``; rewards paid are ``settlement.Reward``.
"""

from .penalties import FindingPenalty, FindingReview, PenaltyEvidence, Violation
from .rebates import ProposedRebate, RebateRule

__all__ = ["FindingPenalty", "FindingReview", "PenaltyEvidence", "ProposedRebate", "RebateRule", "Violation"]
