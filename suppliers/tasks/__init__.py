"""Celery tasks of the suppliers app, one module per area (the worker's autodiscovery imports this package)."""

from .catalog import kick_import_job, run_import_job  # noqa: F401
from .partnerships import send_message_copy, send_partnership_email  # noqa: F401
