from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from . import tasks_partners  # noqa: F401  (registers the Celery tasks)
        from .sweeps import end_partnerships

        register_sweep("end_partnerships", end_partnerships)

        from distribution.core import media

        media.register("products/", "suppliers.media.product_image")
        media.register("compliance/", "suppliers.media.compliance_document")
        media.register("imports/", "suppliers.media.import_file")
        media.register("messages/", "suppliers.media.message_attachment")
