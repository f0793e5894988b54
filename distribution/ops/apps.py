from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health endpoints, request ids and JSON logs, metrics, the operator page, the
    read-replica router. No models of its own: it reads the other apps' tables."""

    name = "distribution.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from . import signals

        signals.connect()
