"""Shared fixtures: the miniature city with personas, and a real browser.

Browser tests use Debian's Chromium through Playwright against Django's live
server; mark them with @pytest.mark.browser. Every other test is marked here
by what it needs: `db` when it touches the database, `unit` when it does not,
so `pytest -m unit` runs the pure tests in seconds.
"""
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD, City

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup", "city", "client", "admin_client",
               "django_user_model", "login"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("browser"):
            continue
        # An explicit db mark: a test of a real server or cluster of its own.
        needs_db = (item.get_closest_marker("django_db") or item.get_closest_marker("db")
                    or DB_FIXTURES & set(getattr(item, "fixturenames", ())))
        item.add_marker(pytest.mark.db if needs_db else pytest.mark.unit)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache, kept fragments of pages in
    another; each test starts with none."""
    from django.core.cache import caches

    from varn import ratelimits

    for alias in ("default", "fragments"):
        caches[alias].clear()
    ratelimits.reset_memory()
    yield
    for alias in ("default", "fragments"):
        caches[alias].clear()
    ratelimits.reset_memory()


@pytest.fixture(autouse=True)
def _swedish():
    """Each test starts in Swedish, whatever language an earlier test left
    active in this thread (the language switch tests activate English)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def city(db):
    return City()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client
    return _login


# --- real SMTP server -------------------------------------------------------

class _Inbox:
    """Collects messages received by a local aiosmtpd server."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({
            "to": list(envelope.rcpt_tos),
            "subject": str(msg["subject"]),
            "body": msg.get_body(preferencelist=("plain",)).get_content(),
            "raw": envelope.content.decode("utf-8", "replace"),
        })
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if address in m["to"]]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost; Django sends to it over the network."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


# --- real browser -----------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized page (390×844), the reference viewport."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE",
                                  base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE",
                                  base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, username, password=PASSWORD):
    page.goto("/konto/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Logga in')")
    page.wait_for_load_state()


def axe_violations(page) -> list:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page; return violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    return results.response["violations"]


def assert_accessible(page):
    violations = axe_violations(page)
    summary = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert not violations, f"axe-core violations on {page.url}: {summary}"


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
