"""STORAGES switches to S3-compatible object storage by environment variables (no network used)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
media, private = storages["default"], storages["private"]
print(json.dumps({
    "media": [type(media).__module__ + "." + type(media).__name__, media.bucket_name, media.url("products/a.jpg")],
    "private": [type(private).__name__, private.bucket_name, private.location, private.url("evidence/b.pdf")],
}))
"""


def test_the_default_is_the_filesystem_with_private_files_apart_from_public_media():
    media, private = storages["default"], storages["private"]
    assert isinstance(media, FileSystemStorage) and isinstance(private, FileSystemStorage)
    assert Path(media.location) == settings.MEDIA_ROOT
    assert Path(private.location) == settings.PRIVATE_MEDIA_ROOT != settings.MEDIA_ROOT


def test_storage_backend_s3_puts_media_and_private_files_in_buckets_with_signed_private_urls():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "distribution.settings",
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": "dist-media",
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": "dist-private",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:16699",  # never contacted: URLs are signed locally
        "AWS_ACCESS_KEY_ID": "test-access",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    backend, bucket, media_url = seen["media"]
    assert backend == "storages.backends.s3.S3Storage" and bucket == "dist-media"
    assert media_url == "http://127.0.0.1:16699/dist-media/products/a.jpg"  # public media: plain URL
    name, bucket, location, private_url = seen["private"]
    assert name == "S3Storage" and bucket == "dist-private" and location == ""
    assert private_url.startswith("http://127.0.0.1:16699/dist-private/evidence/b.pdf?")
    assert "X-Amz-Signature=" in private_url and "X-Amz-Expires=300" in private_url  # short-lived signed URL


def test_an_unknown_storage_backend_is_refused_at_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "distribution.settings", "STORAGE_BACKEND": "ftp"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: E501
    assert out.returncode != 0 and "STORAGE_BACKEND must be" in out.stderr
