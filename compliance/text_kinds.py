"""The compliance texts stored as a kind plus parameters (notifications)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from distribution.core.texts import register

PENALTY_RECORDED = register(
    "penalty.recorded", title=_("The platform recorded a violation of rule %(rule)s"), body="%(description)s"
)
REBATE_PROPOSED = register("rebate.proposed", title=_("Rebates for %(month)s are ready to review"))
