from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    label = "compliance"
    verbose_name = _("Penalties and rewards")

    def ready(self) -> None:
        from distribution.core import media, rule_text

        media.register("penalties/", "compliance.media.penalty_evidence")
        rule_text.register("compliance.rules.RULES")
