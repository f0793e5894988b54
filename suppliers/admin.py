from . import admin_partnerships  # noqa
