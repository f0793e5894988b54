"""The distribution platform (分銷平台) project package."""

from .celery import app as celery_app

__all__ = ("celery_app",)
