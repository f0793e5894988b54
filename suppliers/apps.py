from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from distribution.core import events, outbox
        from distribution.core.sweeps import register_sweep

        from .services.imports import IMPORT_JOB_KICK
        from .services.messaging import MESSAGE_COPY
        from .sweeps import end_partnerships, sweep_import_jobs, sweep_product_uploads
        from .tasks import kick_import_job
        from .tasks import partnerships as tasks_partners

        outbox.register_handler(MESSAGE_COPY, tasks_partners.on_message_copy, queue="email")
        outbox.register_handler(IMPORT_JOB_KICK, kick_import_job, queue="imports")
        events.subscribe("partnership.terminating", tasks_partners.on_partnership_terminating, after_commit=True, queue="email")
        events.subscribe("partnership.terminated", tasks_partners.on_partnership_terminated, after_commit=True, queue="email")

        register_sweep("end_partnerships", end_partnerships)
        register_sweep("import_jobs", sweep_import_jobs)
        register_sweep("product_uploads", sweep_product_uploads)

        from distribution.core import media

        media.register("products/", "suppliers.media.product_image")
        media.register("compliance/", "suppliers.media.compliance_document")
        media.register("imports/", "suppliers.media.import_file")
        media.register("messages/", "suppliers.media.message_attachment")
        media.register("uploads/", "suppliers.media.product_upload")
