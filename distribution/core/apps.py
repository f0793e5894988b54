from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "distribution.core"
    label = "core"
    verbose_name = _("Platform records")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from .once import sweep_form_submissions
        from .outbox import sweep_outbox
        from .sweeps import register_sweep

        register_sweep("outbox", sweep_outbox)
        # Pillow's decompression-bomb guard for every image opened anywhere (uploads.py turns it into a form error)
        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS
        register_sweep("form_submissions", sweep_form_submissions)
