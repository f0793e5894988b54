from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    label = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        from distribution.core import media
        from distribution.core.sweeps import register_sweep

        from .sweeps import after_sales_timers, run_timer_one

        register_sweep("after_sales_timers", after_sales_timers, retry=run_timer_one)
        media.register("aftersales/", "aftersales.media.after_sale_evidence")
