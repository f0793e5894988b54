from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "distribution.core"
    label = "core"
    verbose_name = _("Platform records")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from . import email, outbox
        from .once import sweep_form_submissions
        from .outbox import sweep_outbox
        from .sweeps import register_sweep

        register_sweep("outbox", sweep_outbox)
        outbox.register_handler(email.TOPIC, email.deliver_email, queue="email")
        # Pillow's decompression-bomb guard for every image opened anywhere (uploads.py turns it into a form error)
        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS
        register_sweep("form_submissions", sweep_form_submissions)
        # every app's stored-text kinds (<app>/text_kinds.py), so any process can render any row
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("text_kinds")
