from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Purchase orders")

    def ready(self) -> None:
        from distribution.core import outbox
        from distribution.core.sweeps import register_sweep
        from settlement.reconcile import register_escrow_expectation
        from settlement.selectors import register_statement_amounts

        from . import order_import, sweeps
        from .selectors import PO_NUMBER_PATTERN, escrow_expectation, statement_amounts

        outbox.register_handler(order_import.TOPIC, order_import.handle_place, queue=order_import.QUEUE)
        for name, func in sweeps.SWEEPS.items():
            register_sweep(name, func, retry=sweeps.RETRY.get(name))
        register_escrow_expectation(escrow_expectation, covers=PO_NUMBER_PATTERN)
        register_statement_amounts(statement_amounts)
