import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Factories set passwords; the production hasher would dominate these tests' run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
