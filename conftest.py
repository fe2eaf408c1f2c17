"""Root conftest: makes live-server tests work with Playwright's event loop."""
import os

# Playwright's sync API runs an event loop in the test thread; Django's
# live-server tests then need this to touch the database from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
