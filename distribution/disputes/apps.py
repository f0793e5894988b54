from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "distribution.disputes"
    label = "disputes"
    verbose_name = _("Disputes, penalties and rewards")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from .sweeps import escalate_disputes

        register_sweep("escalate_disputes", escalate_disputes)

        from distribution.core import media

        media.register("disputes/", "distribution.disputes.media.dispute_evidence")
        media.register("penalties/", "distribution.disputes.media.penalty_evidence")
