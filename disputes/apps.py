from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    label = "disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from .sweeps import escalate_disputes

        register_sweep("escalate_disputes", escalate_disputes)

        from distribution.core import media

        media.register("disputes/", "disputes.media.dispute_evidence")
