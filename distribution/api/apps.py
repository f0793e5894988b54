from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "distribution.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from distribution.core.sweeps import register_sweep

        from .sweeps import sweep_idempotency_records
        from .webhooks import subscribe_to_domain_events, sweep_webhook_deliveries, sweep_webhook_events

        register_sweep("webhook_deliveries", sweep_webhook_deliveries)
        register_sweep("idempotency_records", sweep_idempotency_records)
        register_sweep("webhook_events", sweep_webhook_events)
        subscribe_to_domain_events()
