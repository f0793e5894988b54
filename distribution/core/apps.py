from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "distribution.core"
    label = "core"
    verbose_name = "Core"
