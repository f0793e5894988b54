from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "distribution.disputes"
    label = "disputes"
    verbose_name = _("Disputes, penalties and rewards")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from .sweeps import escalate_dispute_one, escalate_disputes

        register_sweep("escalate_disputes", escalate_disputes, retry=escalate_dispute_one)
