from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResellersConfig(AppConfig):
    name = "resellers"
    verbose_name = _("Resellers")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from . import search, search_index, subscribers  # noqa: F401  (search registers the trigram lookups)
        from .sweeps import NAME, inspect_listings

        register_sweep(NAME, inspect_listings, slow=True)
        subscribers.subscribe()
        search_index.subscribe()
