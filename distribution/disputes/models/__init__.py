"""Disputes on shipped purchase orders (R15, R16), penalties' evidence (R6, R17), rebates (R17).

Penalties themselves are ``accounts.Penalty``; rewards paid are ``settlement.Reward``.
"""

from .compliance import PenaltyEvidence, Violation
from .rebates import ProposedRebate, RebateRule

__all__ = ["PenaltyEvidence", "ProposedRebate", "RebateRule", "Violation"]
