from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "distribution.core"
    label = "core"
    verbose_name = _("Platform records")

    def ready(self) -> None:
        from .outbox import sweep_outbox
        from .sweeps import register_sweep

        register_sweep("outbox", sweep_outbox)
