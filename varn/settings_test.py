"""Settings for the test suite: the production settings with a test key, fast
password hashing and static files served from the source folders."""
import os

os.environ.setdefault("VARN_SECRET_KEY", "test-only-key-" + "k" * 50)
os.environ.setdefault("VARN_STATIC_MANIFEST", "0")
os.environ.setdefault("VARN_STATIC_FINDERS", "1")
os.environ.setdefault("VARN_SSL_REDIRECT", "0")
os.environ.setdefault("VARN_SECURE_COOKIES", "0")

from varn.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-uploads"  # noqa: F405
# One process per test worker: an in-memory cache, emptied before each test
# (tests/conftest.py), so that rate-limit counters never carry over.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": "varn-fragments"}}
