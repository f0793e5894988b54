from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResellersConfig(AppConfig):
    name = "resellers"
    verbose_name = _("Resellers")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from . import receivers, search  # noqa: F401  (search registers the trigram lookups)
        from .sweeps import NAME, inspect_listings

        register_sweep(NAME, inspect_listings)
        receivers.connect()
