from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Purchase orders")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from . import sweeps

        for name, func in sweeps.SWEEPS.items():
            register_sweep(name, func)
        try:
            from settlement.reconcile import register_escrow_expectation
        except ImportError:  # the settlement app's reconciliation is not there yet
            return
        from .selectors import escrow_expectation

        register_escrow_expectation(escrow_expectation)
