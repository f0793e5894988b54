from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from .sweeps import SWEEPS

        for name, func in SWEEPS.items():
            register_sweep(name, func)
